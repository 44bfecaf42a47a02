package io.mailflow.delivery.agent;

import io.mailflow.kafka.MessageState;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
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
 * place after a second (growing to StageLoop.OUTAGE_BACKOFF_CAP while Kafka stays unavailable), for as long
 * as it takes: that is Kafka's fault, not the copy's, so it is never parked.
 *
 * <p>An admin's action can bring copies back early ({@link #release}, a {@link Release}): a queue's retry-now
 * forwards all of that queue's waiting copies, an action on one copy (resume, retry, remove) forwards that copy, so
 * delivery applies it within seconds rather than when the copy is due.
 */
final class RetryForwarder implements AutoCloseable {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
  /** A forward that fails is tried again after this, and never parked (see the class comment). */
  private static final StageLoop.Options LOOP = StageLoop.Options.defaults()
      .withPoisonThreshold(Integer.MAX_VALUE).withRetryBackoff(Duration.ofSeconds(1));
  /**
   * Release requests of the last minute are applied again to partitions assigned later: a request that
   * arrives before this forwarder owns the partitions (start, rebalance) is not lost.
   */
  private static final Duration RELEASE_MEMORY = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RetryForwarder.class);

  private final String bootstrapServers;
  private final Topic<DeliveryItem> topic;
  private final TopicPublisher publisher;
  private final Clock clock;
  private final StageLoop<DeliveryItem> loop;
  /** Release work, one request after another, off the loop thread. */
  private final ExecutorService releases;
  /** Copies forwarded early by a release, skipped when the loop reaches them in order. */
  private final Set<Released> released = ConcurrentHashMap.newKeySet();
  private final Map<Release, Instant> recentReleases = new ConcurrentHashMap<>();
  /** Requests not yet served: the release thread takes all of them in one pass (a bulk action is many). */
  private final Set<Release> pending = ConcurrentHashMap.newKeySet();

  private record Released(int partition, long offset) {}

  /**
   * Release - which waiting copies an admin's action brings back at once: every copy of a queue (QUEUE Retry, by
   * next-hop key: the delay topics' record key), or one copy (a MESSAGE record that lets it go on or removes it:
   * Active, Retry, Removed, RemovedWithNDR; by internal message id, which is unique per copy).
   */
  record Release(ControlKind kind, String target) {

    Release {
      if (kind != ControlKind.QUEUE && kind != ControlKind.MESSAGE) {
        throw new IllegalArgumentException("a release is of a queue or a message, not " + kind);
      }
      Objects.requireNonNull(target, "target");
    }

    /** Every waiting copy of the queue {@code nextHopKey}. */
    static Release queue(String nextHopKey) {
      return new Release(ControlKind.QUEUE, nextHopKey);
    }

    /** The one waiting copy {@code internalMessageId}. */
    static Release message(String internalMessageId) {
      return new Release(ControlKind.MESSAGE, internalMessageId);
    }

    /**
     * The release an admin record asks for, if any. A suspension releases nothing (the copy would only be held
     * again); a resumed queue's copies come back on their schedule, as in Exchange.
     */
    static Optional<Release> of(ControlRecord record) {
      if (record.getKind() == ControlKind.QUEUE && QueueStates.Status.Retry.name().equals(record.getState())) {
        return Optional.of(queue(record.getTarget()));
      }
      MessageState state = record.getKind() == ControlKind.MESSAGE ? MessageState.of(record.getState()) : null;
      return state == null || state == MessageState.Suspended ? Optional.empty()
          : Optional.of(message(record.getTarget()));
    }

    /**
     * Whether any of {@code releases} brings back a copy waiting under a key: looked up by next-hop key and
     * internal message id, so one pass over a backlog serves a bulk action on many copies.
     */
    static BiPredicate<String, DeliveryItem> anyOf(Collection<Release> releases) {
      Set<String> queues = new HashSet<>();
      Set<String> messages = new HashSet<>();
      releases.forEach(r -> (r.kind == ControlKind.QUEUE ? queues : messages).add(r.target));
      return (key, item) -> queues.contains(key) || messages.contains(item.getInternalMessageId());
    }
  }

  /** The consumer group of the forwarders of {@code stage}. */
  static String groupId(String stage) {
    return "mailflow-" + stage + "-retry";
  }

  private RetryForwarder(String bootstrapServers, String clientId, String stage, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock, StageLoop.Options stageLoop) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.publisher = publisher;
    this.clock = clock;
    this.releases = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "release-" + topic.name());
      t.setDaemon(true);
      return t;
    });
    this.loop = StageLoop.start(stage, bootstrapServers, groupId(stage), topic, this::forward, publisher,
        LOOP.withMeters(stageLoop.meters()).withInstanceId(stageLoop.instanceId()),
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
    return start(bootstrapServers, clientId, stage, topic, publisher, clock, StageLoop.Options.defaults().withMeters(meters));
  }

  /**
   * As above, taking the meters and the instance id (static group membership, one member per delay topic) of the
   * stage's loop options; the forwarder's own poison threshold and backoff stay.
   */
  static RetryForwarder start(String bootstrapServers, String clientId, String stage, Topic<DeliveryItem> topic,
      TopicPublisher publisher, Clock clock, StageLoop.Options stageLoop) {
    return new RetryForwarder(bootstrapServers, clientId, stage, topic, publisher, clock, stageLoop);
  }

  /** One due copy (the loop holds those not due): back to mail.delivery.v1, same key, notBefore cleared. */
  private CompletionStage<?> forward(String key, DeliveryItem item, RecordOrigin origin) {
    if (released.remove(new Released(origin.partition(), origin.offset()))) {
      return CompletableFuture.completedFuture(null); // a release forwarded it already
    }
    item.setNotBefore(null);
    return publisher.send(Topics.DELIVERY, key, item);
  }

  /**
   * Brings back what {@code release} asks for (any thread): the matching copies waiting on this topic's
   * partitions owned here are forwarded at once, ahead of their {@code notBefore} and of other copies before them.
   */
  void release(Release release) {
    recentReleases.put(release, clock.instant());
    request(Set.of(release));
  }

  /** Loop thread: partitions arrived; requests of the last minute apply to them too. */
  private void assigned(Collection<TopicPartition> partitions) {
    Instant now = clock.instant();
    recentReleases.values().removeIf(at -> at.plus(RELEASE_MEMORY).isBefore(now));
    if (!recentReleases.isEmpty()) {
      request(recentReleases.keySet());
    }
  }

  /** Adds {@code requests} to the pending ones and has the release thread serve what is pending. */
  private void request(Collection<Release> requests) {
    pending.addAll(requests);
    submit(() -> {
      Set<Release> batch = Set.copyOf(pending);
      pending.removeAll(batch);
      if (!batch.isEmpty()) { // else an earlier turn took them
        releaseNow(batch);
      }
    });
  }

  /**
   * Queues release work, unless the forwarder is closing: a rebalance while the loop closes, or an admin record
   * arriving then, must not fail the loop's callback or the control view's listener; the copies wait for their
   * time, or for the forwarder that owns their partitions next.
   */
  private void submit(Runnable work) {
    try {
      releases.execute(work);
    } catch (RejectedExecutionException e) {
      log.debug("delivery: {} forwarder closing; release not started", topic.name());
    }
  }

  /**
   * Reads the assigned partitions from where the loop stands to their ends (a reader of its own, so the
   * loop's holds are untouched), forwards the waiting copies the requests match and remembers them,
   * so the loop skips them when it reaches them. Offsets are not committed here: they move when the loop
   * reaches the copies in order (a crash in between forwards them twice; delivery is at-least-once anyway).
   */
  private void releaseNow(Set<Release> requests) {
    Map<TopicPartition, Long> positions;
    try {
      positions = loop.positions().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing: the copies wait for their time, or the partitions' next owner
      return;
    } catch (Exception e) {
      log.warn("delivery: release of {} from {}: the loop did not say where it stands: {}", describe(requests),
          topic.name(), e.toString());
      return;
    }
    released.removeIf(r -> {
      Long at = positions.get(new TopicPartition(topic.name(), r.partition()));
      return at == null || r.offset() < at; // moved away, or reached already
    });
    BiPredicate<String, DeliveryItem> wanted = Release.anyOf(requests);
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
              if (!entry.decoded() || released.contains(r) || !wanted.test(entry.key(), entry.value())) {
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
      if (!forwarded.isEmpty()) { // every delay topic's forwarder is asked; most have nothing to say
        log.info("delivery: release of {}: {} copies forwarded early from {}", describe(requests), forwarded.size(),
            topic.name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("delivery: release of {} from {} failed; the copies wait for their time: {}", describe(requests),
          topic.name(), e.toString());
    }
  }

  /** The requests for a log line: a bulk action on thousands of copies is not listed. */
  private static String describe(Set<Release> requests) {
    return requests.size() <= 5 ? requests.toString() : requests.size() + " requests";
  }

  /** Tells the loop to stop without waiting (see {@link StageLoop#requestStop()}); close() waits. */
  void requestStop() {
    loop.requestStop();
  }

  /** Stops the loop (its batch finishes and commits within StageLoop.CLOSE_GRACE) and the release thread. */
  @Override
  public void close() {
    loop.close();
    releases.shutdownNow();
  }
}
