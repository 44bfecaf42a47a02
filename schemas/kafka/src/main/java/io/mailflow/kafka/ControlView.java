package io.mailflow.kafka;

import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ControlView - the admin state on mail.control.v1 (site down, queue suspended ...) as a live map.
 *
 * <p>Reads the compacted topic from its beginning on its own thread, without a consumer group (every
 * instance of every role sees all of it), and keeps the latest record per key; a record whose state is
 * {@link #CLEARED}, or a tombstone, removes the key. {@link #start} returns once the view has read up to
 * the end the topic had, so a stage starts knowing the state rather than learning it a moment later.
 * Listeners hear every change on the view's thread and must not block it.
 */
public final class ControlView implements AutoCloseable {
  /** The state that removes a setting. */
  public static final String CLEARED = "Cleared";

  private static final Logger log = LoggerFactory.getLogger(ControlView.class);
  /** The poll while catching up at start: start() waits for the view to reach the end the topic had. */
  private static final Duration CATCH_UP_POLL = Duration.ofMillis(200);
  /**
   * The poll once caught up: a record ends it at once (the broker holds the fetch open for it) and close() wakes
   * it, so nothing is due in between; a view that woke 5 times a second for nothing cost more than it read.
   */
  static final Duration IDLE_POLL = Duration.ofMinutes(1);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, ControlRecord> state = new ConcurrentHashMap<>();
  private final List<Consumer<ControlRecord>> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  /** The record key of a setting: one per kind and target. */
  public static String key(ControlKind kind, String target) {
    return kind.name() + ":" + target;
  }

  private ControlView(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends, String clientId) {
    this.consumer = consumer;
    this.thread = new Thread(() -> run(new java.util.HashMap<>(ends)), "control-view-" + clientId);
    this.thread.setDaemon(true);
  }

  /**
   * Starts a view and waits until it has read the topic up to its current end.
   *
   * @throws KafkaUnavailableException when Kafka or the topic does not answer within {@code timeout}
   */
  public static ControlView start(String bootstrapServers, String clientId, Duration timeout) {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", clientId);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // No group, no hand-over: an empty fetch may wait long (a record ends it at once), see LONG_FETCH_MAX_WAIT_MS.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, KafkaClientConfig.LONG_FETCH_MAX_WAIT_MS);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config);
    Map<TopicPartition, Long> ends;
    try {
      List<PartitionInfo> partitions = partitionsOf(consumer, timeout);
      if (partitions.isEmpty()) {
        throw new KafkaUnavailableException("topic " + Topics.CONTROL.name() + " does not exist on "
            + bootstrapServers + " (waited " + timeout.toSeconds() + " s for it)", null);
      }
      List<TopicPartition> assigned = partitions.stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      ends = consumer.endOffsets(assigned);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      consumer.close();
      throw new KafkaUnavailableException("cannot reach Kafka at " + bootstrapServers + " within "
          + timeout.toSeconds() + " s", e);
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    ControlView view = new ControlView(consumer, ends, clientId);
    view.thread.start();
    try {
      if (!view.caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        view.close();
        throw new KafkaUnavailableException("could not read " + Topics.CONTROL.name() + " on " + bootstrapServers
            + " within " + timeout.toSeconds() + " s", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      view.close();
      throw new KafkaUnavailableException("interrupted while reading " + Topics.CONTROL.name(), e);
    }
    return view;
  }

  /**
   * The control topic's partitions. A topic created a moment ago (every node provisions the topics just before
   * its stages start) may not be in the metadata this client gets first: ask again until {@code timeout}.
   */
  private static List<PartitionInfo> partitionsOf(KafkaConsumer<String, byte[]> consumer, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<PartitionInfo> partitions = consumer.partitionsFor(Topics.CONTROL.name());
      if ((partitions != null && !partitions.isEmpty()) || System.nanoTime() - deadline >= 0) {
        return partitions == null ? List.of() : partitions;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  /** The setting for that target, if one is in force. */
  public Optional<ControlRecord> get(ControlKind kind, String target) {
    return Optional.ofNullable(state.get(key(kind, target)));
  }

  /** Every setting in force, by key. */
  public Map<String, ControlRecord> all() {
    return Map.copyOf(state);
  }

  /** Calls {@code listener} with each record read from now on (a cleared setting too), on the view's thread. */
  public void onChange(Consumer<ControlRecord> listener) {
    listeners.add(listener);
  }

  private void run(Map<TopicPartition, Long> pending) {
    try {
      checkCaughtUp(pending);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(pending.isEmpty() ? IDLE_POLL : CATCH_UP_POLL)) {
          apply(record);
        }
        checkCaughtUp(pending);
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      log.error("control view: stopped reading {}: {}", Topics.CONTROL.name(), e.toString());
    } finally {
      // Nothing to wait for: no group to leave, no offsets to commit. A timeout here only waited for the fetch the
      // broker holds open (up to LONG_FETCH_MAX_WAIT_MS), about 2 s per view on every stop (issue 13: stop in 5 s).
      consumer.close(Duration.ZERO);
    }
  }

  private void checkCaughtUp(Map<TopicPartition, Long> pending) {
    if (pending.isEmpty()) {
      return;
    }
    for (TopicPartition p : new ArrayList<>(pending.keySet())) {
      if (consumer.position(p) >= pending.get(p)) {
        pending.remove(p);
      }
    }
    if (pending.isEmpty()) {
      caughtUp.countDown();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      state.remove(record.key()); // a tombstone
      return;
    }
    ControlRecord value;
    try {
      value = Topics.CONTROL.codec().decode(record.value());
    } catch (UndecodableRecordException e) {
      log.warn("control view: ignoring undecodable record {}-{}@{} (key {}): {}", record.topic(),
          record.partition(), record.offset(), record.key(), e.getMessage());
      return;
    }
    if (CLEARED.equals(value.getState())) {
      state.remove(record.key());
    } else {
      state.put(record.key(), value);
    }
    for (Consumer<ControlRecord> listener : listeners) {
      try {
        listener.accept(value);
      } catch (RuntimeException e) {
        log.warn("control view: a listener failed on {}: {}", record.key(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread.isAlive()) {
      consumer.wakeup(); // the thread closes the consumer on its way out
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
