package io.mailflow.kafka;

import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * TopicReader - reads every partition of one topic without joining a consumer group, so it never moves
 * a stage's offsets. For tools (events tail, replay) and for tests that look at what a stage wrote.
 */
public final class TopicReader<V extends SpecificRecord> implements AutoCloseable {
  private final Topic<V> topic;
  private final KafkaConsumer<String, byte[]> consumer;

  /** One record read: its value, or why it could not be decoded. */
  public record Entry<V>(String key, V value, RecordOrigin origin, UndecodableRecordException error) {
    public boolean decoded() {
      return error == null;
    }
  }

  private TopicReader(String bootstrapServers, Topic<V> topic, boolean fromBeginning, Duration timeout) {
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
      if (fromBeginning) {
        consumer.seekToBeginning(assigned);
      } else {
        consumer.seekToEnd(assigned);
        assigned.forEach(consumer::position); // fix the end now, not at the first poll
      }
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
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
      RecordOrigin origin = new RecordOrigin(record.topic(), record.partition(), record.offset(), record.timestamp());
      try {
        entries.add(new Entry<>(record.key(), topic.codec().decode(record.value()), origin, null));
      } catch (UndecodableRecordException e) {
        entries.add(new Entry<>(record.key(), null, origin, e));
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
