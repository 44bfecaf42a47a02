package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.PoisonRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * PoisonQueue - Exchange's poison message queue, as {@code mailflow poison list} and {@code GET /api/v1/poison} both
 * show it: every record a stage parked on mail.poison.v1 (read from its beginning to the end it had when asked), with
 * what an administrator decided about it, kept on mail.control.v1 (kind POISON, target the {@link PoisonId}): the
 * poison topic is an event log whose records can be neither changed nor deleted. Blocking: call it off any event
 * loop.
 */
public final class PoisonQueue {
  /** Where a parked record stands. */
  public enum Status {
    /** As the stage left it. */
    Parked,
    /** Written back to its topic by an administrator (the stage may park it again: a new entry). */
    Resubmitted,
    /** An administrator is done with it: hidden from the list unless all are asked for. */
    Deleted
  }

  /** Topics keyed by the network message id, so a parked record's key names its message. */
  private static final Set<String> KEYED_BY_NETWORK_MESSAGE_ID =
      Set.of(Topics.SUBMISSION.name(), Topics.CATEGORIZED.name());
  /**
   * The list reads up to the partitions' ends anyway; reading to a day from now rather than to now only keeps a node
   * whose clock runs ahead from hiding what it just parked.
   */
  private static final Duration CLOCK_SLACK = Duration.ofDays(1);

  private PoisonQueue() {}

  /**
   * One parked record, without its value.
   *
   * @param key the original record's key when it is UTF-8 text (every mailflow key is), else null
   * @param size the original value's size in bytes (0 for none)
   * @param networkMessageId the key, when the original topic is keyed by network message id; else null
   * @param admin the administrator's decision on mail.control.v1, or null
   */
  public record Entry(PoisonId id, Instant dateTime, String stage, String topic, int partition, long offset,
      String reason, String key, int size, String networkMessageId, Status status, ControlRecord admin) {}

  /**
   * Every parked record, oldest first; Deleted ones only when {@code all}.
   *
   * @throws KafkaUnavailableException when Kafka does not answer within {@code timeout}, or reading stalls
   */
  public static List<Entry> list(String bootstrap, boolean all, Duration timeout, String clientId) {
    Map<String, ControlRecord> decisions;
    try (ControlView view = ControlView.start(bootstrap, clientId, timeout)) {
      decisions = view.all();
    }
    List<Entry> entries = new ArrayList<>();
    try (TopicReader<PoisonRecord> reader = TopicReader.between(bootstrap, Topics.POISON, Instant.EPOCH,
        Instant.now().plus(CLOCK_SLACK), timeout)) {
      readAll(reader, bootstrap, timeout, e -> {
        PoisonId id = new PoisonId(e.origin().partition(), e.origin().offset());
        Entry entry = entry(id, e.value(), decisions.get(ControlView.key(ControlKind.POISON, id.toString())));
        if (all || entry.status() != Status.Deleted) {
          entries.add(entry);
        }
      });
    }
    entries.sort(Comparator.comparing(Entry::dateTime).thenComparingInt(e -> e.id().partition())
        .thenComparingLong(e -> e.id().offset()));
    return entries;
  }

  /**
   * The parked record {@code id} names, if the poison topic holds one there (none: a partition the topic does not
   * have, an offset not yet written or removed by retention, or a record that is no PoisonRecord).
   *
   * @throws KafkaUnavailableException when Kafka does not answer within {@code timeout}
   */
  public static Optional<PoisonRecord> read(String bootstrap, PoisonId id, Duration timeout) {
    TopicReader<PoisonRecord> reader;
    try {
      reader = TopicReader.offsets(bootstrap, Topics.POISON, id.partition(), id.offset(), id.offset(), timeout);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // no such partition, or retention removed the offset
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnavailableException("cannot read " + Topics.POISON.name() + " at " + bootstrap + " within "
          + timeout.toSeconds() + " s", e);
    }
    List<PoisonRecord> found = new ArrayList<>();
    try (reader) {
      readAll(reader, bootstrap, timeout, e -> found.add(e.value()));
    }
    return found.stream().findFirst();
  }

  /** Reads a bounded reader to its end, handing on the records that decode; fails when reading stalls. */
  private static void readAll(TopicReader<PoisonRecord> reader, String bootstrap, Duration timeout,
      java.util.function.Consumer<TopicReader.Entry<PoisonRecord>> each) {
    long idleLimit = TimeUnit.SECONDS.toNanos(Math.max(30, timeout.toSeconds() * 2));
    long last = System.nanoTime();
    try {
      while (!reader.finished()) {
        if (System.nanoTime() - last > idleLimit) {
          throw new KafkaUnavailableException("reading " + Topics.POISON.name() + " at " + bootstrap + " stalled",
              null);
        }
        for (TopicReader.Entry<PoisonRecord> e : reader.poll(Duration.ofMillis(200))) {
          last = System.nanoTime();
          if (e.decoded()) { // something else on the poison topic is no parked record: nothing to resubmit
            each.accept(e);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new KafkaUnavailableException("cannot read " + Topics.POISON.name() + " at " + bootstrap + " within "
          + timeout.toSeconds() + " s", e);
    }
  }

  /** The list's view of one parked record and the decision on it. */
  static Entry entry(PoisonId id, PoisonRecord r, ControlRecord admin) {
    String key = keyText(r.getKey());
    int size = r.getValue() == null ? 0 : r.getValue().remaining();
    return new Entry(id, r.getDateTime(), r.getStage(), r.getTopic(), r.getPartition(), r.getOffset(), r.getReason(),
        key, size, key != null && KEYED_BY_NETWORK_MESSAGE_ID.contains(r.getTopic()) ? key : null, status(admin),
        admin);
  }

  static Status status(ControlRecord admin) {
    if (admin == null) {
      return Status.Parked;
    }
    try {
      return Status.valueOf(admin.getState());
    } catch (IllegalArgumentException e) {
      return Status.Parked; // a state this release does not know decides nothing
    }
  }

  /** The key as text when it is UTF-8 (strictly: a key that is not stays null rather than be shown mangled). */
  static String keyText(ByteBuffer key) {
    if (key == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(key.duplicate()).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
