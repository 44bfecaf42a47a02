package io.mailflow.delivery.agent;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.PoisonParking;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RetryForwarder - puts deferred copies back on mail.delivery.v1 when they are due. One per delay
 * topic, on its own thread (consumer group {@value #GROUP_ID}): it forwards each partition's copies in
 * order while their {@code notBefore} has passed; at the first one not yet due it seeks back to it and
 * pauses that partition until then. Nothing ever sleeps in the delivery stage's loop.
 *
 * <p>Offsets are committed after the forwarded copies are acknowledged (at-least-once: a crash may
 * forward a copy twice; delivery absorbs mailbox repeats). Undecodable records are parked on
 * mail.poison.v1.
 */
final class RetryForwarder implements AutoCloseable {

  static final String GROUP_ID = "mailflow-delivery-retry";

  /** The longest a poll blocks: bounds how late a copy is forwarded after a partition resumes, and close(). */
  private static final Duration MAX_POLL = Duration.ofMillis(200);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(RetryForwarder.class);

  private final Topic<DeliveryItem> topic;
  private final TopicPublisher publisher;
  private final Clock clock;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<TopicPartition, Instant> pausedUntil = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** Next-hop keys an admin asked to retry now (Retry-Queue), from any thread. */
  private final Queue<String> releaseRequests = new ConcurrentLinkedQueue<>();
  /** Copies forwarded early by a retry-now, skipped when reached in order; forwarder thread only. */
  private final Set<Released> released = new HashSet<>();
  /**
   * Retry-now requests of the last {@link #RELEASE_MEMORY}, applied again to partitions assigned later: a
   * request that arrives before this forwarder owns the partitions (start, rebalance) is not lost.
   */
  private final Map<String, Instant> recentReleases = new HashMap<>();
  private boolean newlyAssigned;
  private static final Duration RELEASE_MEMORY = Duration.ofMinutes(1);

  private record Released(TopicPartition partition, long offset) {}

  private RetryForwarder(String bootstrapServers, String clientId, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock) {
    this.topic = topic;
    this.publisher = publisher;
    this.clock = clock;
    this.consumer = new KafkaConsumer<>(KafkaClientConfig.consumer(bootstrapServers, GROUP_ID,
        clientId + "-" + topic.name()));
    this.thread = new Thread(this::run, "retry-" + topic.name());
  }

  static RetryForwarder start(String bootstrapServers, String clientId, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock) {
    RetryForwarder f = new RetryForwarder(bootstrapServers, clientId, topic, publisher, clock);
    f.thread.start();
    return f;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic.name()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          pausedUntil.keySet().removeAll(partitions);
          released.removeIf(r -> partitions.contains(r.partition()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          newlyAssigned = !partitions.isEmpty();
        }
      });
      while (running) {
        releaseRequested();
        resumeDuePartitions();
        ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout());
        if (!records.isEmpty()) {
          forward(records);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("delivery: retry forwarder for {} stopped: {}", topic.name(), e.toString());
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("delivery: closing retry consumer of {}: {}", topic.name(), e.toString());
      }
    }
  }

  private Duration pollTimeout() {
    Instant now = clock.instant();
    Duration wait = MAX_POLL;
    for (Instant due : pausedUntil.values()) {
      Duration left = Duration.between(now, due);
      if (left.compareTo(wait) < 0) {
        wait = left.isNegative() ? Duration.ZERO : left;
      }
    }
    return wait;
  }

  private void resumeDuePartitions() {
    Instant now = clock.instant();
    List<TopicPartition> due = new ArrayList<>();
    for (Iterator<Map.Entry<TopicPartition, Instant>> it = pausedUntil.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, Instant> e = it.next();
      if (!now.isBefore(e.getValue())) {
        due.add(e.getKey());
        it.remove();
      }
    }
    if (!due.isEmpty()) {
      consumer.resume(due);
    }
  }

  private void forward(ConsumerRecords<String, byte[]> records) throws InterruptedException {
    Instant now = clock.instant();
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    Map<TopicPartition, Long> firstOffsets = new HashMap<>();
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
        firstOffsets.putIfAbsent(partition, record.offset());
        if (released.remove(new Released(partition, record.offset()))) {
          commits.put(partition, new OffsetAndMetadata(record.offset() + 1)); // a retry-now forwarded it already
          continue;
        }
        DeliveryItem item;
        try {
          item = topic.codec().decode(record.value());
        } catch (UndecodableRecordException e) {
          sends.add(park(record, e.getMessage()));
          commits.put(partition, new OffsetAndMetadata(record.offset() + 1));
          continue;
        }
        Instant due = item.getNotBefore();
        if (due != null && due.isAfter(now)) {
          consumer.seek(partition, record.offset());
          consumer.pause(Set.of(partition));
          pausedUntil.put(partition, due);
          break;
        }
        item.setNotBefore(null);
        sends.add(publisher.send(Topics.DELIVERY, record.key(), item));
        commits.put(partition, new OffsetAndMetadata(record.offset() + 1));
      }
    }
    try {
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Not forwarded for sure: read the batch again (a copy that did get through arrives twice).
      log.warn("delivery: forwarding from {} failed, will retry: {}", topic.name(), e.toString());
      firstOffsets.forEach((partition, offset) -> {
        if (pausedUntil.remove(partition) != null) {
          consumer.resume(Set.of(partition));
        }
        consumer.seek(partition, offset);
      });
      Thread.sleep(FAILURE_BACKOFF.toMillis());
      return;
    }
    if (!commits.isEmpty()) {
      try {
        consumer.commitSync(commits);
      } catch (CommitFailedException | RetriableException e) {
        log.warn("delivery: offsets of {} not committed, copies may be forwarded again: {}", topic.name(),
            e.getMessage());
      }
    }
  }

  /**
   * Retry-now for a queue (any thread): its copies waiting on this topic's partitions owned here are
   * forwarded at once, ahead of their {@code notBefore} and of the copies of other queues before them.
   */
  void release(String nextHopKey) {
    releaseRequests.add(nextHopKey);
  }

  /**
   * Reads the assigned partitions from the current positions to their ends, forwards the waiting copies
   * of the requested queues, remembers them so they are skipped when reached in order, then seeks back
   * and pauses again what was paused. Offsets are not committed here: they move when the copies are
   * reached in order (a crash in between forwards them twice; delivery is at-least-once anyway).
   */
  private void releaseRequested() throws InterruptedException {
    Instant now = clock.instant();
    Set<String> keys = new HashSet<>();
    for (String k = releaseRequests.poll(); k != null; k = releaseRequests.poll()) {
      keys.add(k);
      recentReleases.put(k, now);
    }
    recentReleases.values().removeIf(at -> at.plus(RELEASE_MEMORY).isBefore(now));
    if (newlyAssigned) {
      newlyAssigned = false;
      keys.addAll(recentReleases.keySet());
    }
    Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
    if (keys.isEmpty() || assigned.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> start = new HashMap<>();
    for (TopicPartition p : assigned) {
      start.put(p, consumer.position(p));
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
    Set<TopicPartition> pending = new HashSet<>();
    start.forEach((p, at) -> {
      if (at < end.getOrDefault(p, 0L)) {
        pending.add(p);
      }
    });
    consumer.resume(assigned);
    List<CompletableFuture<?>> sends = new ArrayList<>();
    List<Released> forwarded = new ArrayList<>();
    long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(MAX_POLL)) {
        TopicPartition p = new TopicPartition(record.topic(), record.partition());
        Released r = new Released(p, record.offset());
        if (!keys.contains(record.key()) || record.offset() >= end.getOrDefault(p, 0L) || released.contains(r)) {
          continue;
        }
        DeliveryItem item;
        try {
          item = topic.codec().decode(record.value());
        } catch (UndecodableRecordException e) {
          continue; // parked when reached in order
        }
        item.setNotBefore(null);
        sends.add(publisher.send(Topics.DELIVERY, record.key(), item));
        forwarded.add(r);
      }
      pending.removeIf(p -> !consumer.assignment().contains(p) || consumer.position(p) >= end.get(p));
    }
    try {
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      released.addAll(forwarded);
      log.info("delivery: retry now for {}: {} copies forwarded early from {}", keys, forwarded.size(), topic.name());
    } catch (ExecutionException | TimeoutException e) {
      log.warn("delivery: retry now for {} from {} failed; the copies wait for their time: {}", keys, topic.name(),
          e.toString());
    }
    Set<TopicPartition> still = consumer.assignment();
    start.forEach((p, at) -> {
      if (still.contains(p)) {
        consumer.seek(p, at);
      }
    });
    pausedUntil.keySet().retainAll(still);
    consumer.pause(pausedUntil.keySet());
  }

  private CompletableFuture<?> park(ConsumerRecord<String, byte[]> record, String reason) {
    log.warn("delivery: parking undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
        record.offset(), reason);
    return PoisonParking.park(publisher, DeliveryStage.STAGE_NAME, record, reason, clock.instant());
  }

  /** Stops polling and closes the consumer (within a few seconds). */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
