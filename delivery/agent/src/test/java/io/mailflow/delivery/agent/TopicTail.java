package io.mailflow.delivery.agent;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.apache.avro.specific.SpecificRecord;

/** TopicTail - reads a topic from "now" on, on its own thread, and lets a test wait for matching records. */
final class TopicTail<V extends SpecificRecord> implements AutoCloseable {

  private final Topic<V> topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<ConsumerRecord<String, V>> seen = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  TopicTail(String bootstrap, Topic<V> topic) {
    this.topic = topic;
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrap, "unused", "tail-" + topic.name());
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumer = new KafkaConsumer<>(config);
    List<TopicPartition> partitions = new ArrayList<>();
    consumer.partitionsFor(topic.name()).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start now, before the test publishes
    thread = new Thread(this::run, "tail-" + topic.name());
    thread.start();
  }

  private void run() {
    while (running) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
            r.serializedKeySize(), r.serializedValueSize(), r.key(), topic.codec().decode(r.value()), r.headers(),
            r.leaderEpoch()));
      }
    }
    consumer.close();
  }

  /** Values seen so far that match. */
  List<V> matching(Predicate<V> filter) {
    List<V> out = new ArrayList<>();
    for (ConsumerRecord<String, V> r : seen) {
      if (filter.test(r.value())) {
        out.add(r.value());
      }
    }
    return out;
  }

  /** Records seen so far whose value matches, with their partition and timestamp. */
  List<ConsumerRecord<String, V>> records(Predicate<V> filter) {
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    for (ConsumerRecord<String, V> r : seen) {
      if (filter.test(r.value())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Waits until at least {@code count} values match, and returns the matches. */
  List<V> await(Predicate<V> filter, int count, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
        .until(() -> matching(filter).size() >= count);
    return matching(filter);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
