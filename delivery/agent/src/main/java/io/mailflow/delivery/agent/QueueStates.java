package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QueueStates - Get-Queue for the delivery queues (next-hop keys) this instance owns: the status
 * (Active while a copy is being attempted, Ready when idle, Retry after its next hop could not be reached
 * until the retry time, Suspended by an admin), message count, last error and next retry time. Every
 * change of status, last error or retry time is written as a tracking event (source {@value #SOURCE},
 * event-id {@value #EVENT}, keyed by the next-hop key) so a queue view can be built from mail.tracking.v1,
 * and each queue has Micrometer gauges and counters.
 *
 * <p>Message count is what this instance can count honestly: copies of the queue it is attempting now,
 * plus copies it deferred to a delay topic that have not come back to it yet (by internal message id).
 * Copies still unread on its mail.delivery.v1 partitions, and copies another instance deferred, are not
 * counted.
 *
 * <p>Confined to the stage's context, except {@link #controlChanged}, which hops onto it.
 */
final class QueueStates {

  static final TrackingSource SOURCE = TrackingSource.QUEUE;
  static final TrackingEventId EVENT = TrackingEventId.QUEUESTATE;
  static final String METRIC_PREFIX = "mailflow.delivery.queue.";

  /** Exchange's queue status values. */
  enum Status { Active, Ready, Retry, Suspended }

  private static final Logger log = LoggerFactory.getLogger(QueueStates.class);

  private final Context context;
  private final NextHopQueues nextHops;
  private final Supplier<Map<String, ControlRecord>> control;
  /** The least time between two state events of a queue that only flips between Active and Ready. */
  static final Duration BUSY_FLIP_INTERVAL = Duration.ofSeconds(1);

  private final TopicPublisher publisher;
  private final String serverName;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<String, Queue> queues = new HashMap<>();

  /** One queue's state and meters. */
  private final class Queue {
    final String key;
    String deliveryType;
    String nextHopDomain;
    int inProgress;
    /** Copies this instance deferred, by internal id, with when the edge received them; read by the age gauge. */
    final Map<String, Instant> deferred = new ConcurrentHashMap<>();
    /** Copies being attempted now, likewise. */
    final Map<String, Instant> active = new ConcurrentHashMap<>();
    Status status = Status.Ready;
    String lastError;
    Instant nextRetryTime;
    long timer = -1;
    /** When the last state event went out, and the status it carried (busy flips are throttled against it). */
    Instant publishedAt = Instant.MIN;
    Status publishedStatus;
    long trailing = -1;
    final Counter delivered;
    final Counter deferredRecipients;
    final Counter failed;

    Queue(String key) {
      this.key = key;
      for (Status s : Status.values()) {
        Gauge.builder(METRIC_PREFIX + "status", this, q -> q.status == s ? 1 : 0).strongReference(true)
            .tag("queue", key).tag("status", s.name())
            .description("1 for the queue's current status (Get-Queue Status)").register(meters);
      }
      Gauge.builder(METRIC_PREFIX + "messages", this, Queue::messageCount).strongReference(true).tag("queue", key)
          .description("copies of the queue this instance is attempting or has deferred").register(meters);
      Gauge.builder(METRIC_PREFIX + "oldest.age", this, Queue::oldestAgeSeconds).strongReference(true)
          .tag("queue", key).baseUnit("seconds")
          .description("age (since the edge received it) of the oldest copy this instance is attempting or has "
              + "deferred; 0 when none").register(meters);
      delivered = Counter.builder(METRIC_PREFIX + "delivered").tag("queue", key)
          .description("recipients delivered").register(meters);
      deferredRecipients = Counter.builder(METRIC_PREFIX + "deferred").tag("queue", key)
          .description("recipients deferred to a delay topic").register(meters);
      failed = Counter.builder(METRIC_PREFIX + "failed").tag("queue", key)
          .description("recipients failed for good").register(meters);
    }

    int messageCount() {
      return inProgress + deferred.size();
    }

    double oldestAgeSeconds() {
      Instant oldest = null;
      for (Map<String, Instant> held : List.of(active, deferred)) {
        for (Instant received : held.values()) {
          oldest = oldest == null || received.isBefore(oldest) ? received : oldest;
        }
      }
      return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }
  }

  QueueStates(Context context, NextHopQueues nextHops, Supplier<Map<String, ControlRecord>> control,
      TopicPublisher publisher, String serverName, MeterRegistry meters, Clock clock) {
    this.context = context;
    this.nextHops = nextHops;
    this.control = control;
    this.publisher = publisher;
    this.serverName = serverName;
    this.meters = meters;
    this.clock = clock;
  }

  NextHopQueues nextHops() {
    return nextHops;
  }

  /** The admin's suspension of the queue, if it is suspended. */
  Optional<ControlRecord> suspension(String key) {
    ControlRecord r = control.get().get(ControlView.key(ControlKind.QUEUE, key));
    return r != null && Status.Suspended.name().equals(r.getState()) ? Optional.of(r) : Optional.empty();
  }

  /** A copy of the queue is taken up (it came back if this instance had deferred it). */
  void started(String key, DeliveryItem item) {
    Queue q = queue(key);
    q.deliveryType = item.getNextHop().getDeliveryType().name();
    q.nextHopDomain = item.getNextHop().getNextHopDomain();
    q.deferred.remove(item.getInternalMessageId());
    q.active.put(item.getInternalMessageId(), item.getEnvelope().getReceivedAt());
    q.inProgress++;
    update(q);
  }

  /** The outcomes of a copy are durable (or about to be): counters, last error, and whether it waits on. */
  void settled(String key, DeliveryItem item, List<DeliveryOutcome> outcomes, boolean deferred) {
    Queue q = queue(key);
    for (DeliveryOutcome o : outcomes) {
      if (o instanceof DeliveryOutcome.Delivered) {
        q.delivered.increment();
        q.lastError = null;
      } else if (o instanceof DeliveryOutcome.Permanent) {
        q.failed.increment();
      } else {
        q.deferredRecipients.increment();
        q.lastError = o.reply().toString();
      }
    }
    if (deferred) {
      q.deferred.put(item.getInternalMessageId(), item.getEnvelope().getReceivedAt());
    }
  }

  /** The copy's attempt ended, durable or not. */
  void finished(String key, DeliveryItem item) {
    Queue q = queue(key);
    q.active.remove(item.getInternalMessageId());
    q.inProgress = Math.max(0, q.inProgress - 1);
    update(q);
  }

  /** An admin record on mail.control.v1 (any thread): a queue's suspension or retry-now. */
  void controlChanged(ControlRecord record) {
    if (record.getKind() != ControlKind.QUEUE) {
      return;
    }
    context.runOnContext(v -> {
      if (Status.Retry.name().equals(record.getState())) {
        nextHops.retryNow(record.getTarget());
      }
      update(queue(record.getTarget()));
    });
  }

  private Queue queue(String key) {
    return queues.computeIfAbsent(key, Queue::new);
  }

  /** Recomputes the status; writes an event when status, last error or retry time changed. */
  private void update(Queue q) {
    Instant now = clock.instant();
    Status status;
    String lastError = q.lastError;
    Instant nextRetry = null;
    Optional<ControlRecord> suspended = suspension(q.key);
    Optional<NextHopQueues.Retry> retry = nextHops.inRetry(q.key, now);
    if (retry.isPresent()) {
      lastError = retry.get().lastError().toString();
      nextRetry = retry.get().until();
    }
    if (suspended.isPresent()) {
      status = Status.Suspended;
    } else if (retry.isPresent()) {
      status = Status.Retry;
    } else if (q.inProgress > 0) {
      status = Status.Active;
    } else {
      status = Status.Ready;
    }
    if (retry.isPresent() && q.timer < 0) {
      // leave Retry on time even when no copy arrives to notice it
      long delay = Math.max(1, Duration.between(now, retry.get().until()).toMillis() + 1);
      q.timer = context.owner().setTimer(delay, id -> {
        q.timer = -1;
        update(q);
      });
    }
    boolean significant = !Objects.equals(lastError, q.lastError) || !Objects.equals(nextRetry, q.nextRetryTime)
        || (status != q.status && !(busy(status) && busy(q.status)));
    boolean flipped = status != q.status;
    q.status = status;
    q.lastError = lastError;
    q.nextRetryTime = nextRetry;
    String why = suspended.map(s -> "suspended by " + s.getSetBy()
        + (s.getReason() == null ? "" : ": " + s.getReason())).orElse(null);
    if (significant || (flipped && !now.isBefore(q.publishedAt.plus(BUSY_FLIP_INTERVAL)))) {
      publish(q, why, now);
    } else if (flipped && q.trailing < 0) {
      // Active <-> Ready flips with every copy under load: at most one event per interval, then the state
      // as it is at the interval's end (if it differs from what went out), so the view never stays wrong
      long delay = Math.max(1, Duration.between(now, q.publishedAt.plus(BUSY_FLIP_INTERVAL)).toMillis());
      q.trailing = context.owner().setTimer(delay, id -> {
        q.trailing = -1;
        if (q.status != q.publishedStatus) {
          publish(q, why, clock.instant());
        }
      });
    }
  }

  /** Active and Ready: a working queue between copies, as opposed to Retry or Suspended. */
  private static boolean busy(Status status) {
    return status == Status.Active || status == Status.Ready;
  }

  private void publish(Queue q, String why, Instant now) {
    q.publishedAt = now;
    q.publishedStatus = q.status;
    QueueState state = QueueState.newBuilder().setIdentity(q.key).setDeliveryType(q.deliveryType)
        .setNextHopDomain(q.nextHopDomain).setStatus(q.status.name()).setMessageCount(q.messageCount())
        .setLastError(q.lastError).setNextRetryTime(q.nextRetryTime).build();
    TrackingEvent event = new Tracking(serverName, clock).aboutNoMessage(SOURCE, EVENT).setSourceContext(why)
        .setQueue(state).build();
    // Best effort: a lost state event leaves the view one change behind; mail flow does not wait for it.
    publisher.send(Topics.TRACKING, q.key, event).whenComplete((ok, e) -> {
      if (e != null) {
        log.warn("delivery: queue state of {} not written: {}", q.key, e.toString());
      }
    });
  }
}
