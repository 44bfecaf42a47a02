package io.mailflow.cli;

import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * ReplayCommand - `mailflow replay`: Safety Net resubmission. Reads a retained topic without a consumer
 * group, for a time range or an offset range of one partition, and puts the selected records back:
 * <ul>
 *   <li>{@code --topic delivery} (default): copies of the delivery queues (mail.delivery.v1) go back on the same
 *       queue under the same next-hop key, marked {@code replayOf};</li>
 *   <li>{@code --topic submission}: accepted messages (mail.submission.v1) go back on the submission queue under
 *       their network message id, the envelope marked {@code replayOf}, so the categorizer and routing run
 *       again (a changed directory or route applies).</li>
 * </ul>
 * No DSN is sent about a replayed record; mailbox duplicates are absorbed by the store (same network message
 * id). One RESUBMIT tracking event (source SAFETYNET, as Exchange writes for Safety Net resubmits) per record.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Re-submit retained delivery-queue copies or submissions of a time or offset range "
        + "(Safety Net resubmit).",
        "TIME: an ISO-8601 instant (2026-11-22T10:00:00Z), a local date-time (2026-11-22T10:00), now, "
            + "or relative (-90s, -30m, -2h, -1d)."})
final class ReplayCommand implements Callable<Integer> {
  /** Exchange's message-tracking source for a Safety Net resubmit; the event is RESUBMIT. */
  static final TrackingSource SOURCE = TrackingSource.SAFETYNET;
  static final TrackingEventId EVENT = TrackingEventId.RESUBMIT;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  @Spec CommandSpec spec;

  /** The topics replay reads. */
  enum ReplayTopic { delivery, submission }

  @Option(names = "--topic", defaultValue = "delivery", paramLabel = "TOPIC",
      description = "delivery (mail.delivery.v1, the default: copies go back to their queue) or submission "
          + "(mail.submission.v1: the whole pipeline runs again).")
  ReplayTopic topic;

  @Option(names = "--from", paramLabel = "TIME", description = "Start of the time range (inclusive).")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "End of the time range (inclusive; default: now).")
  String to;

  @Option(names = "--partition", paramLabel = "P", description = "Offset range: the partition.")
  Integer partition;

  @Option(names = "--from-offset", paramLabel = "A", description = "Offset range: the first offset (inclusive).")
  Long fromOffset;

  @Option(names = "--to-offset", paramLabel = "B", description = "Offset range: the last offset (inclusive).")
  Long toOffset;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Filter filter = new Filter();

  /** At most one filter: recipient, domain or next hop. */
  static final class Filter {
    @Option(names = "--recipient", paramLabel = "ADDR", description = "Only this recipient address.")
    String recipient;

    @Option(names = "--domain", paramLabel = "D", description = "Only recipients in this domain.")
    String domain;

    @Option(names = "--next-hop", paramLabel = "KEY",
        description = "Only this delivery queue (its next-hop key, e.g. SmtpDeliveryToMailbox/DB01); --topic delivery.")
    String nextHop;
  }

  @Option(names = "--dry-run", description = "Print what would be re-submitted; change nothing.")
  boolean dryRun;

  @Mixin KafkaOption kafka;

  /** Overridable by tests; the machine's clock and zone otherwise. */
  Clock clock = Clock.systemDefaultZone();

  /**
   * What one topic's records are to replay: how to select, mark and describe them.
   *
   * @param pick the record narrowed to the selected recipients, or empty
   * @param marked the record as re-published, with {@code replayOf} = where the original was
   */
  private record Replayed<V extends SpecificRecord>(Topic<V> topic, BiFunction<String, V, Optional<V>> pick,
      BiFunction<V, String, V> marked, Function<V, Envelope> envelope, Function<V, String> internalMessageId,
      Function<V, List<String>> recipients) {}

  @Override
  public Integer call() {
    boolean byTime = from != null || to != null;
    boolean byOffset = partition != null || fromOffset != null || toOffset != null;
    if (byTime && byOffset) {
      throw usage("--from/--to select by time and --partition/--from-offset/--to-offset by offset: use one");
    }
    if (!byTime && !byOffset) {
      throw usage("give a time range (--from TIME [--to TIME]) or an offset range "
          + "(--partition P --from-offset A --to-offset B)");
    }
    if (byTime && from == null) {
      throw usage("--to needs --from");
    }
    if (byOffset && (partition == null || fromOffset == null || toOffset == null)) {
      throw usage("--partition, --from-offset and --to-offset go together");
    }
    if (topic == ReplayTopic.submission && filter.nextHop != null) {
      throw usage("--next-hop selects a delivery queue; mail.submission.v1 has no next hop yet "
          + "(use --recipient or --domain, or --topic delivery)");
    }
    kafka.timeout(); // a bad --kafka-timeout is refused before anything is read
    ReplaySelection selection = new ReplaySelection(filter.recipient, filter.domain, filter.nextHop);
    if (topic == ReplayTopic.submission) {
      return replay(new Replayed<SubmittedMessage>(Topics.SUBMISSION, selection::pick,
          (m, where) -> SubmittedMessage.newBuilder(m)
              .setEnvelope(Envelope.newBuilder(m.getEnvelope()).setReplayOf(where).build()).build(),
          SubmittedMessage::getEnvelope, m -> null,
          m -> m.getRecipients().stream().map(Recipient::getAddress).toList()), byTime);
    }
    return replay(new Replayed<DeliveryItem>(Topics.DELIVERY, selection::pick,
        (item, where) -> DeliveryItem.newBuilder(item).setReplayOf(where).setAttempt(0).setNotBefore(null)
            .setDelayNotified(false).build(),
        DeliveryItem::getEnvelope, DeliveryItem::getInternalMessageId,
        item -> item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList()), byTime);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private <V extends SpecificRecord> int replay(Replayed<V> replayed, boolean byTime) {
    Instant start = null;
    Instant end = null;
    String window;
    if (byTime) {
      start = ReplayTime.parse("--from", from, clock, clock.getZone());
      end = ReplayTime.parse("--to", to == null ? "now" : to, clock, clock.getZone());
      if (start.isAfter(end)) {
        throw new CliFailure("--from " + start + " is after --to " + end + ": nothing to replay");
      }
      window = "--from " + start + " --to " + end;
    } else {
      if (partition < 0 || fromOffset < 0 || toOffset < 0) {
        throw new CliFailure("--partition, --from-offset and --to-offset must not be negative, got " + partition
            + ", " + fromOffset + ", " + toOffset);
      }
      if (fromOffset > toOffset) {
        throw new CliFailure("--from-offset " + fromOffset + " is after --to-offset " + toOffset
            + ": nothing to replay");
      }
      window = "--partition " + partition + " --from-offset " + fromOffset + " --to-offset " + toOffset;
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Topic<V> topic = replayed.topic();
    long matched = 0;
    long resubmitted = 0;
    try (TopicReader<V> reader = open(topic, start, end);
        TopicPublisher publisher = dryRun ? null : TopicPublisher.create(kafka.bootstrap, "mailflow-replay")) {
      String server = serverName();
      long idleLimit = TimeUnit.SECONDS.toNanos(Math.max(30, kafka.timeout().toSeconds() * 2));
      long lastRecord = System.nanoTime();
      while (!reader.finished()) {
        if (System.nanoTime() - lastRecord > idleLimit) {
          throw new CliFailure("reading " + topic.name() + " at " + kafka.bootstrap + " stalled; "
              + resubmitted + " resubmitted of " + matched + " matched so far");
        }
        List<TopicReader.Entry<V>> entries = reader.poll(Duration.ofMillis(200));
        if (!entries.isEmpty()) {
          lastRecord = System.nanoTime();
        }
        for (TopicReader.Entry<V> entry : entries) {
          if (!entry.decoded()) {
            err.println("mailflow: skipping " + entry.origin() + ": " + entry.error().getMessage());
            continue;
          }
          Instant stamped = Instant.ofEpochMilli(entry.origin().timestamp());
          if (byTime && (stamped.isBefore(start) || stamped.isAfter(end))) {
            continue; // producer timestamps need not grow with offsets
          }
          Optional<V> copy = replayed.pick().apply(entry.key(), entry.value());
          if (copy.isEmpty()) {
            continue;
          }
          matched++;
          if (publisher != null) {
            resubmit(publisher, server, entry.key(), replayed, copy.get(), entry.origin(), window);
            resubmitted++;
          }
          out.println(stamped + " " + where(entry.origin()) + " " + entry.key() + " "
              + replayed.envelope().apply(copy.get()).getNetworkMessageId() + " "
              + String.join(",", replayed.recipients().apply(copy.get())) + " "
              + (dryRun ? "would resubmit" : "resubmitted"));
          out.flush();
        }
      }
    }
    out.println(matched + " matched, " + resubmitted + " resubmitted" + (dryRun ? " (dry run)" : ""));
    out.flush();
    return 0;
  }

  private <V extends SpecificRecord> TopicReader<V> open(Topic<V> topic, Instant start,
      Instant end) {
    Duration timeout = kafka.timeout();
    if (start != null) {
      return TopicReader.between(kafka.bootstrap, topic, start, end, timeout);
    }
    try {
      return TopicReader.offsets(kafka.bootstrap, topic, partition, fromOffset, toOffset, timeout);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage(), e); // no such partition, or offsets retention removed
    }
  }

  /** The record back on its topic, then its RESUBMIT event; both acknowledged before the next record. */
  private <V extends SpecificRecord> void resubmit(TopicPublisher publisher, String server, String key, Replayed<V> replayed, V record,
      RecordOrigin origin, String window) {
    String where = where(origin);
    V copy = replayed.marked().apply(record, where);
    publisher.sendAndWait(replayed.topic(), key, copy, SEND_TIMEOUT);
    Envelope envelope = replayed.envelope().apply(record);
    TrackingEvent event = new Tracking(server, clock).about(envelope, SOURCE, EVENT,
            replayed.recipients().apply(record), List.of())
        .setInternalMessageId(replayed.internalMessageId().apply(record))
        .setSourceContext("mailflow replay " + window + "; copy of " + where + "; "
            + (replayed.topic() == Topics.DELIVERY ? "next hop " : "submission ") + key)
        .build();
    publisher.sendAndWait(Topics.TRACKING, envelope.getNetworkMessageId(), event, SEND_TIMEOUT);
  }


  static String where(RecordOrigin origin) {
    return origin.topic() + "-" + origin.partition() + "@" + origin.offset();
  }

  /** The host writing the RESUBMIT events (Exchange: the server that resubmits). */
  private static String serverName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
