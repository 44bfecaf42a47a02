package io.mailflow.cli;

import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEvents;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * ReplayCommand - `mailflow replay`: Safety Net resubmission. Reads the delivery queues
 * (mail.delivery.v1, retained past delivery) for a time range without a consumer group, and puts the
 * selected copies back on the same queue under the same next-hop key, marked {@code replayOf} so delivery
 * sends no DSN about them; mailbox duplicates are absorbed by the store. One RESUBMIT tracking event
 * (source SAFETYNET, as Exchange writes for Safety Net resubmits) per copy.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Re-submit delivery-queue copies of a time range (Safety Net resubmit).",
        "TIME: an ISO-8601 instant (2026-11-22T10:00:00Z), a local date-time (2026-11-22T10:00), now, "
            + "or relative (-90s, -30m, -2h, -1d)."})
final class ReplayCommand implements Callable<Integer> {
  /** Exchange's message-tracking source for a Safety Net resubmit; the event is RESUBMIT. */
  static final String SOURCE = "SAFETYNET";
  static final String EVENT = "RESUBMIT";
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "TIME", description = "Start of the range (inclusive).")
  String from;

  @Option(names = "--to", defaultValue = "now", paramLabel = "TIME",
      description = "End of the range (inclusive; default: ${DEFAULT-VALUE}).")
  String to;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Filter filter = new Filter();

  /** At most one filter: recipient, domain or next hop. */
  static final class Filter {
    @Option(names = "--recipient", paramLabel = "ADDR", description = "Only this recipient address.")
    String recipient;

    @Option(names = "--domain", paramLabel = "D", description = "Only recipients in this domain.")
    String domain;

    @Option(names = "--next-hop", paramLabel = "KEY",
        description = "Only this delivery queue (its next-hop key, e.g. SmtpDeliveryToMailbox/DB01).")
    String nextHop;
  }

  @Option(names = "--dry-run", description = "Print what would be re-submitted; change nothing.")
  boolean dryRun;

  @Option(names = "--bootstrap", defaultValue = "127.0.0.1:" + RunCommand.DEFAULT_KAFKA_PORT,
      description = "Kafka bootstrap servers (default: the broker of `mailflow run`, ${DEFAULT-VALUE})")
  String bootstrap;

  @Option(names = "--kafka-timeout", defaultValue = "15", paramLabel = "SECONDS",
      description = "Give up when Kafka does not answer within this many seconds (default: ${DEFAULT-VALUE}).")
  long kafkaTimeoutSeconds;

  /** Overridable by tests; the machine's clock and zone otherwise. */
  Clock clock = Clock.systemDefaultZone();

  @Override
  public Integer call() {
    Instant start = ReplayTime.parse("--from", from, clock, clock.getZone());
    Instant end = ReplayTime.parse("--to", to, clock, clock.getZone());
    if (start.isAfter(end)) {
      throw new CliFailure("--from " + start + " is after --to " + end + ": nothing to replay");
    }
    if (kafkaTimeoutSeconds <= 0) {
      throw new CliFailure("--kafka-timeout must be a positive number of seconds, not " + kafkaTimeoutSeconds);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReplaySelection selection = new ReplaySelection(filter.recipient, filter.domain, filter.nextHop);
    String window = "--from " + start + " --to " + end;
    long matched = 0;
    long resubmitted = 0;
    try (TopicReader<DeliveryItem> reader = TopicReader.between(bootstrap, Topics.DELIVERY, start, end,
            Duration.ofSeconds(kafkaTimeoutSeconds));
        TopicPublisher publisher = dryRun ? null : TopicPublisher.create(bootstrap, "mailflow-replay")) {
      String server = serverName();
      long idleLimit = TimeUnit.SECONDS.toNanos(Math.max(30, kafkaTimeoutSeconds * 2));
      long lastRecord = System.nanoTime();
      while (!reader.finished()) {
        if (System.nanoTime() - lastRecord > idleLimit) {
          throw new CliFailure("reading " + Topics.DELIVERY.name() + " at " + bootstrap + " stalled; "
              + resubmitted + " resubmitted of " + matched + " matched so far");
        }
        List<TopicReader.Entry<DeliveryItem>> entries = reader.poll(Duration.ofMillis(200));
        if (!entries.isEmpty()) {
          lastRecord = System.nanoTime();
        }
        for (TopicReader.Entry<DeliveryItem> entry : entries) {
          if (!entry.decoded()) {
            err.println("mailflow: skipping " + entry.origin() + ": " + entry.error().getMessage());
            continue;
          }
          Instant stamped = Instant.ofEpochMilli(entry.origin().timestamp());
          if (stamped.isBefore(start) || stamped.isAfter(end)) {
            continue; // producer timestamps need not grow with offsets
          }
          Optional<DeliveryItem> copy = selection.pick(entry.key(), entry.value());
          if (copy.isEmpty()) {
            continue;
          }
          matched++;
          if (publisher != null) {
            resubmit(publisher, server, entry.key(), copy.get(), entry.origin(), window);
            resubmitted++;
          }
          out.println(line(stamped, entry.key(), copy.get(), entry.origin(),
              dryRun ? "would resubmit" : "resubmitted"));
          out.flush();
        }
      }
    }
    out.println(matched + " matched, " + resubmitted + " resubmitted" + (dryRun ? " (dry run)" : ""));
    out.flush();
    return 0;
  }

  /** The copy back on its queue, then its RESUBMIT event; both acknowledged before the next record. */
  private void resubmit(TopicPublisher publisher, String server, String key, DeliveryItem item,
      RecordOrigin origin, String window) {
    String where = where(origin);
    DeliveryItem copy = DeliveryItem.newBuilder(item).setReplayOf(where).setAttempt(0).setNotBefore(null).build();
    await(publisher.send(Topics.DELIVERY, key, copy), Topics.DELIVERY.name());
    TrackingEvent event = TrackingEvents.about(item.getEnvelope(), server, SOURCE, EVENT,
            item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList(), List.of())
        .setInternalMessageId(item.getInternalMessageId())
        .setSourceContext("mailflow replay " + window + "; copy of " + where + "; next hop " + key)
        .build();
    await(publisher.send(Topics.TRACKING, item.getEnvelope().getNetworkMessageId(), event), Topics.TRACKING.name());
  }

  private void await(java.util.concurrent.CompletableFuture<?> ack, String topic) {
    try {
      ack.get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new CliFailure("cannot write to " + topic + " at " + bootstrap + ": " + cause, cause);
    }
  }

  static String where(RecordOrigin origin) {
    return origin.topic() + "-" + origin.partition() + "@" + origin.offset();
  }

  private static String line(Instant stamped, String key, DeliveryItem item, RecordOrigin origin, String what) {
    return stamped + " " + where(origin) + " " + key + " " + item.getEnvelope().getNetworkMessageId() + " "
        + String.join(",", item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList()) + " " + what;
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
