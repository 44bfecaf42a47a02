package io.mailflow.kafka;

import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * TopicReader - reads every partition of one topic without joining a consumer group, so it never moves
 * a stage's offsets. For tools (events tail, replay) and for tests that look at what a stage wrote.
 */
public final class TopicReader<V extends SpecificRecord> implements AutoCloseable {
  private final Topic<V> topic;
  private final KafkaConsumer<String, byte[]> consumer;
  /** For a time range: per partition, the first offset past the range; empty when the reader is unbounded. */
  private final Map<TopicPartition, Long> stopAt = new HashMap<>();

  /** One record read: its value, or why it could not be decoded. */
  public record Entry<V>(String key, V value, RecordOrigin origin, UndecodableRecordException error) {
    public boolean decoded() {
      return error == null;
    }
  }

  private TopicReader(String bootstrapServers, Topic<V> topic, boolean fromBeginning, Duration timeout) {
    this(bootstrapServers, topic, fromBeginning ? Start.BEGINNING : Start.END, null, null, null, timeout);
  }

  private enum Start { BEGINNING, END, RANGE, OFFSETS }

  /** Offsets {@code from}..{@code to} (inclusive) of one partition. */
  private record OffsetRange(int partition, long from, long to) {}

  private TopicReader(String bootstrapServers, Topic<V> topic, Start start, Instant from, Instant to,
      Duration timeout) {
    this(bootstrapServers, topic, start, from, to, null, timeout);
  }

  private TopicReader(String bootstrapServers, Topic<V> topic, Start start, Instant from, Instant to,
      OffsetRange offsets, Duration timeout) {
    this.topic = topic;
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", "mailflow-reader");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.consumer = new KafkaConsumer<>(config);
    try {
      List<PartitionInfo> partitions;
      try {
        partitions = consumer.partitionsFor(topic.name());
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw new KafkaUnavailableException(
            "cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds() + " s", e);
      }
      if (partitions == null || partitions.isEmpty()) {
        throw new KafkaUnavailableException("topic " + topic.name() + " does not exist on " + bootstrapServers, null);
      }
      List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(assigned);
      if (start == Start.BEGINNING) {
        consumer.seekToBeginning(assigned);
      } else if (start == Start.END) {
        consumer.seekToEnd(assigned);
        assigned.forEach(consumer::position); // fix the end now, not at the first poll
      } else if (start == Start.OFFSETS) {
        seekToOffsets(assigned, offsets);
      } else {
        seekToRange(assigned, from, to);
      }
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /**
   * Every partition from its first record stamped at or after {@code from} up to its last stamped at or
   * before {@code to}, and never past the end the partition had when the reader was created: records
   * written while reading (a replay writing to the topic it reads) are not read.
   */
  private void seekToRange(List<TopicPartition> partitions, Instant from, Instant to) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    Map<TopicPartition, Long> fromQuery = new HashMap<>();
    Map<TopicPartition, Long> toQuery = new HashMap<>();
    for (TopicPartition p : partitions) {
      fromQuery.put(p, from.toEpochMilli());
      toQuery.put(p, to.toEpochMilli() + 1); // the first record after the range
    }
    Map<TopicPartition, OffsetAndTimestamp> firsts = consumer.offsetsForTimes(fromQuery);
    Map<TopicPartition, OffsetAndTimestamp> afters = consumer.offsetsForTimes(toQuery);
    List<TopicPartition> active = new ArrayList<>();
    for (TopicPartition p : partitions) {
      long end = ends.get(p);
      OffsetAndTimestamp first = firsts.get(p);
      OffsetAndTimestamp after = afters.get(p);
      long startOffset = first == null ? end : first.offset(); // null: nothing at or after `from`
      long stop = after == null ? end : Math.min(after.offset(), end);
      stopAt.put(p, stop);
      if (startOffset < stop) {
        consumer.seek(p, startOffset);
        active.add(p);
      }
    }
    consumer.assign(active); // partitions with nothing in range are never polled
  }

  /**
   * One partition from {@code range.from} to {@code range.to}, never past the end it had when the reader was
   * created. Offsets before the oldest record retention kept are an error, not silently skipped.
   */
  private void seekToOffsets(List<TopicPartition> partitions, OffsetRange range) {
    TopicPartition p = new TopicPartition(topic.name(), range.partition());
    if (!partitions.contains(p)) {
      throw new IllegalArgumentException("topic " + topic.name() + " has no partition " + range.partition()
          + " (it has partitions 0-" + (partitions.size() - 1) + ")");
    }
    long first = consumer.beginningOffsets(List.of(p)).get(p);
    long end = consumer.endOffsets(List.of(p)).get(p);
    if (range.from() < first) {
      throw new IllegalArgumentException(topic.name() + "-" + range.partition() + " offset " + range.from()
          + " is no longer retained: the partition holds offsets " + first + "-" + (end - 1)
          + (first == end ? " (empty)" : ""));
    }
    long stop = Math.min(range.to() + 1, end);
    stopAt.put(p, stop);
    if (range.from() < stop) {
      consumer.assign(List.of(p));
      consumer.seek(p, range.from());
    } else {
      consumer.assign(List.of());
    }
  }

  /**
   * A reader of the offsets {@code fromOffset}..{@code toOffset} (inclusive) of one partition, bounded by the
   * partition's end at creation; {@link #finished()} says when all is read. Throws
   * {@link IllegalArgumentException} for a partition the topic does not have or a {@code fromOffset} that
   * retention removed, {@link KafkaUnavailableException} when Kafka does not answer within {@code timeout}.
   */
  public static <V extends SpecificRecord> TopicReader<V> offsets(String bootstrapServers, Topic<V> topic,
      int partition, long fromOffset, long toOffset, Duration timeout) {
    if (partition < 0 || fromOffset < 0 || toOffset < fromOffset) {
      throw new IllegalArgumentException("partition " + partition + ", offsets " + fromOffset + "-" + toOffset
          + ": need partition >= 0 and 0 <= from-offset <= to-offset");
    }
    return new TopicReader<>(bootstrapServers, topic, Start.OFFSETS, null, null,
        new OffsetRange(partition, fromOffset, toOffset), timeout);
  }

  /**
   * A reader of the records of every partition stamped within [{@code from}, {@code to}] (by Kafka's
   * offsetsForTimes, i.e. from the first record at or after {@code from} to the last before the first
   * record after {@code to}), bounded by the partitions' ends at creation; {@link #finished()} says when
   * all is read. Throws {@link KafkaUnavailableException} when Kafka does not answer within {@code timeout}.
   */
  public static <V extends SpecificRecord> TopicReader<V> between(String bootstrapServers, Topic<V> topic,
      Instant from, Instant to, Duration timeout) {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("from " + from + " is after to " + to);
    }
    return new TopicReader<>(bootstrapServers, topic, Start.RANGE, from, to, timeout);
  }

  /** True for a {@link #between} reader that has returned every record of its range; false otherwise. */
  public boolean finished() {
    if (stopAt.isEmpty()) {
      return false;
    }
    for (TopicPartition p : consumer.assignment()) {
      if (consumer.position(p) < stopAt.get(p)) {
        return false;
      }
    }
    return true;
  }

  /** A reader positioned at the oldest retained record of every partition. */
  public static <V extends SpecificRecord> TopicReader<V> fromBeginning(String bootstrapServers, Topic<V> topic) {
    return new TopicReader<>(bootstrapServers, topic, true, Duration.ofMillis(KafkaClientConfig.DEFAULT_STARTUP_TIMEOUT_MS));
  }

  /** A reader that sees only records written after it was created. */
  public static <V extends SpecificRecord> TopicReader<V> fromEnd(String bootstrapServers, Topic<V> topic) {
    return new TopicReader<>(bootstrapServers, topic, false, Duration.ofMillis(KafkaClientConfig.DEFAULT_STARTUP_TIMEOUT_MS));
  }

  /** The records that arrive within {@code timeout} (possibly none). */
  public List<Entry<V>> poll(Duration timeout) {
    List<Entry<V>> entries = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      Long stop = stopAt.get(new TopicPartition(record.topic(), record.partition()));
      if (stop != null && record.offset() >= stop) {
        continue; // past the range (position() then says the partition is finished)
      }
      RecordOrigin origin = new RecordOrigin(record.topic(), record.partition(), record.offset(), record.timestamp());
      try {
        entries.add(new Entry<>(record.key(), topic.codec().decode(record.value()), origin, null));
      } catch (UndecodableRecordException e) {
        entries.add(new Entry<>(record.key(), null, origin, e));
      }
    }
    if (!stopAt.isEmpty()) {
      for (TopicPartition p : consumer.assignment()) {
        if (consumer.position(p) >= stopAt.get(p)) {
          consumer.pause(List.of(p)); // its range is read: fetch nothing more from it
        }
      }
    }
    return entries;
  }

  /**
   * Reads until {@code count} decoded values match, or {@code timeout} passes; returns the matches found
   * (fewer than {@code count} on timeout).
   */
  public List<V> await(Predicate<V> match, int count, Duration timeout) {
    List<V> found = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (found.size() < count && System.nanoTime() < deadline) {
      for (Entry<V> entry : poll(Duration.ofMillis(100))) {
        if (entry.decoded() && match.test(entry.value())) {
          found.add(entry.value());
        }
      }
    }
    return found;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
