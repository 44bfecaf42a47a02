package io.mailflow.delivery.agent;

import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.DeliveryItem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RetryForwarder - puts deferred copies back on mail.delivery.v1 when they are due. One per delay
 * topic, on schemas/kafka's {@link StageLoop} (consumer group {@code mailflow-<stage>-retry}) with a due
 * time: each partition's copies are forwarded in order once their {@code notBefore} has passed; at the
 * first one not yet due the loop holds that partition until then. Nothing ever sleeps in the delivery
 * stage's loop.
 *
 * <p>The loop commits a copy's offset after the forwarded copy is acknowledged (at-least-once: a crash
 * may forward a copy twice; delivery absorbs mailbox repeats) and parks undecodable records on
 * mail.poison.v1 under the stage's name. A forward that fails (Kafka unavailable) is tried again in
 * place after a second, for as long as it takes: that is Kafka's fault, not the copy's, so it is never
 * parked.
 */
final class RetryForwarder implements AutoCloseable {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
  /** A forward that fails is tried again after this, and never parked (see the class comment). */
  private static final StageLoop.Options LOOP = StageLoop.Options.defaults()
      .withPoisonThreshold(Integer.MAX_VALUE).withRetryBackoff(Duration.ofSeconds(1));
  /**
   * Retry-now requests of the last minute are applied again to partitions assigned later: a request that
   * arrives before this forwarder owns the partitions (start, rebalance) is not lost.
   */
  private static final Duration RELEASE_MEMORY = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RetryForwarder.class);

  private final String bootstrapServers;
  private final Topic<DeliveryItem> topic;
  private final TopicPublisher publisher;
  private final Clock clock;
  private final StageLoop<DeliveryItem> loop;
  /** Retry-now work, one request after another, off the loop thread. */
  private final ExecutorService releases;
  /** Copies forwarded early by a retry-now, skipped when the loop reaches them in order. */
  private final Set<Released> released = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> recentReleases = new ConcurrentHashMap<>();

  private record Released(int partition, long offset) {}

  /** The consumer group of the forwarders of {@code stage}. */
  static String groupId(String stage) {
    return "mailflow-" + stage + "-retry";
  }

  private RetryForwarder(String bootstrapServers, String clientId, String stage, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock, MeterRegistry meters) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.publisher = publisher;
    this.clock = clock;
    this.releases = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "retry-now-" + topic.name());
      t.setDaemon(true);
      return t;
    });
    this.loop = StageLoop.start(stage, bootstrapServers, groupId(stage), topic, this::forward, publisher, LOOP.withMeters(meters),
        StageLoop.Hooks.<DeliveryItem>none()
            .withClientId(clientId + "-" + topic.name())
            .withDueTime(item -> item.getNotBefore() == null ? null // the loop keeps system time: translate
                : Instant.now().plus(Duration.between(clock.instant(), item.getNotBefore())))
            .withOnAssigned(this::assigned));
  }

  /**
   * Starts forwarding {@code topic}.
   *
   * @param stage the stage the forwarder belongs to: its group is {@code mailflow-<stage>-retry}, and parked
   *     records name it
   * @param meters where its consumer's metrics go (lag of the delay topic, tagged {@code stage})
   */
  static RetryForwarder start(String bootstrapServers, String clientId, String stage, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock, MeterRegistry meters) {
    return new RetryForwarder(bootstrapServers, clientId, stage, topic, publisher, clock, meters);
  }

  /** One due copy (the loop holds those not due): back to mail.delivery.v1, same key, notBefore cleared. */
  private CompletionStage<?> forward(String key, DeliveryItem item, RecordOrigin origin) {
    if (released.remove(new Released(origin.partition(), origin.offset()))) {
      return CompletableFuture.completedFuture(null); // a retry-now forwarded it already
    }
    item.setNotBefore(null);
    return publisher.send(Topics.DELIVERY, key, item);
  }

  /**
   * Retry-now for a queue (any thread): its copies waiting on this topic's partitions owned here are
   * forwarded at once, ahead of their {@code notBefore} and of the copies of other queues before them.
   */
  void release(String nextHopKey) {
    recentReleases.put(nextHopKey, clock.instant());
    releases.execute(() -> releaseNow(Set.of(nextHopKey)));
  }

  /** Loop thread: partitions arrived; requests of the last minute apply to them too. */
  private void assigned(Collection<TopicPartition> partitions) {
    Instant now = clock.instant();
    recentReleases.values().removeIf(at -> at.plus(RELEASE_MEMORY).isBefore(now));
    if (!recentReleases.isEmpty()) {
      Set<String> keys = Set.copyOf(recentReleases.keySet());
      releases.execute(() -> releaseNow(keys));
    }
  }

  /**
   * Reads the assigned partitions from where the loop stands to their ends (a reader of its own, so the
   * loop's holds are untouched), forwards the waiting copies of the requested queues and remembers them,
   * so the loop skips them when it reaches them. Offsets are not committed here: they move when the loop
   * reaches the copies in order (a crash in between forwards them twice; delivery is at-least-once anyway).
   */
  private void releaseNow(Set<String> keys) {
    Map<TopicPartition, Long> positions;
    try {
      positions = loop.positions().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("delivery: retry now for {} from {}: the loop did not say where it stands: {}", keys, topic.name(),
          e.toString());
      return;
    }
    released.removeIf(r -> {
      Long at = positions.get(new TopicPartition(topic.name(), r.partition()));
      return at == null || r.offset() < at; // moved away, or reached already
    });
    List<CompletableFuture<?>> sends = new ArrayList<>();
    List<Released> forwarded = new ArrayList<>();
    try {
      for (Map.Entry<TopicPartition, Long> at : positions.entrySet()) {
        try (TopicReader<DeliveryItem> reader = TopicReader.offsets(bootstrapServers, topic,
            at.getKey().partition(), at.getValue(), Long.MAX_VALUE - 1, SEND_TIMEOUT)) {
          long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
          while (!reader.finished() && System.nanoTime() < deadline) {
            for (TopicReader.Entry<DeliveryItem> entry : reader.poll(Duration.ofMillis(200))) {
              Released r = new Released(entry.origin().partition(), entry.origin().offset());
              if (!entry.decoded() || !keys.contains(entry.key()) || released.contains(r)) {
                continue; // garbage is parked when the loop reaches it
              }
              entry.value().setNotBefore(null);
              sends.add(publisher.send(Topics.DELIVERY, entry.key(), entry.value()));
              forwarded.add(r);
            }
          }
        }
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(SEND_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
      released.addAll(forwarded);
      log.info("delivery: retry now for {}: {} copies forwarded early from {}", keys, forwarded.size(), topic.name());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("delivery: retry now for {} from {} failed; the copies wait for their time: {}", keys, topic.name(),
          e.toString());
    }
  }

  /** Stops the loop (its batch finishes and commits within StageLoop.CLOSE_GRACE) and the retry-now thread. */
  @Override
  public void close() {
    releases.shutdownNow();
    loop.close();
  }
}
