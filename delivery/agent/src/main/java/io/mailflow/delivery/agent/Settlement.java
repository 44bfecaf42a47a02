package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.DeliveryTracking.Attempt;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.dsn.submission.Report;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settlement - turns what an agent reported about a copy into durable facts: transient recipients onto a
 * delay topic, the tracking events, a DSN for recipients that failed for good (none when an admin removed the
 * copy without an NDR: {@link Attempted#failuresUnreported}), delay and success DSNs; it
 * completes only when Kafka has acknowledged all of them, so the stage loop commits the offset after that.
 *
 * <p>Retries never block: transient recipients go at once, in one copy with {@code notBefore} and the attempt
 * count, to the delay topic for their wait ({@link RetrySchedule#delayAfter}, or the queue's Retry if later);
 * a {@link RetryForwarder} brings them back when due. A copy past the expiration timeout fails instead (550
 * 4.4.7). Nothing is dropped: every recipient ends delivered, failed, or on a delay topic. Agents never
 * write reports; this class does, through {@link DsnGenerator} and {@link DeliveryNotices} (which pick the
 * recipients; schemas/dsn's {@code DsnReports} writes each {@link Report}, and {@link Report#publish} sends it).
 *
 * <p>Runs on the stage's context.
 */
final class Settlement {

  private static final Logger log = LoggerFactory.getLogger(Settlement.class);

  private final Context context;
  private final TopicPublisher publisher;
  private final RetrySchedule schedule;
  private final QueueStates queueStates;
  private final DsnGenerator dsns;
  private final DeliveryNotices notices;
  private final Tracking tracking;
  private final Clock clock;
  private final DeliveryMeters meters;

  Settlement(Context context, TopicPublisher publisher, RetrySchedule schedule, QueueStates queueStates,
      DsnGenerator dsns, DeliveryNotices notices, Tracking tracking, Clock clock, DeliveryMeters meters) {
    this.meters = meters;
    this.context = context;
    this.publisher = publisher;
    this.schedule = schedule;
    this.queueStates = queueStates;
    this.dsns = dsns;
    this.notices = notices;
    this.tracking = tracking;
    this.clock = clock;
  }

  /**
   * What a settlement will write, decided before anything is written.
   *
   * @param outcomes one per recipient, transient ones turned permanent (4.4.7) once the message expired
   * @param waiting the recipients that go on a delay topic (none: nothing is deferred)
   * @param attempts the deferred copy's attempt count (kept when the copy was held without an attempt)
   * @param due when the deferred copy is due again, or null
   * @param delayTopic the delay topic it waits on, or null
   */
  record Plan(List<DeliveryOutcome> outcomes, List<ResolvedRecipient> waiting, int attempts, Instant due,
      Topic<DeliveryItem> delayTopic) {

    /** The plan for {@code attempted} on {@code item} at {@code now}, its queue in Retry until {@code queueRetry}. */
    static Plan of(RetrySchedule schedule, Optional<Instant> queueRetry, DeliveryItem item, Attempted attempted,
        Instant now) {
      boolean expired = schedule.expired(item.getEnvelope().getReceivedAt(), now);
      List<DeliveryOutcome> outcomes = new ArrayList<>(attempted.outcomes().size());
      List<ResolvedRecipient> waiting = new ArrayList<>();
      for (int i = 0; i < attempted.outcomes().size(); i++) {
        DeliveryOutcome o = attempted.outcomes().get(i);
        if (o instanceof DeliveryOutcome.Transient && expired) {
          o = new DeliveryOutcome.Permanent(o.recipient(), schedule.expiredReply(o.reply()), o.command());
        } else if (o instanceof DeliveryOutcome.Transient) {
          waiting.add(item.getRecipients().get(i));
        }
        outcomes.add(o);
      }
      // a held copy keeps its attempt count; it waits for the queue's retry, or its own, whichever is later
      int attempts = attempted.attempted() ? item.getAttempt() + 1 : item.getAttempt();
      if (waiting.isEmpty()) {
        return new Plan(List.copyOf(outcomes), List.of(), attempts, null, null);
      }
      Instant due = now.plus(schedule.delayAfter(Math.max(1, attempts)));
      if (queueRetry.isPresent() && queueRetry.get().isAfter(due)) {
        due = queueRetry.get();
      }
      // DelayNotificationTimeout is honoured whatever the retry schedule: a copy not yet notified comes back
      // when its delay DSN is due, if that is sooner (held again if its queue is still in Retry: the DSN goes
      // out all the same, from that settlement)
      Instant notice = schedule.delayNotificationAt(item.getEnvelope().getReceivedAt());
      if (!item.getDelayNotified() && notice.isAfter(now) && notice.isBefore(due)) {
        due = notice;
      }
      return new Plan(List.copyOf(outcomes), List.copyOf(waiting), attempts, due,
          RetryTopics.forDelay(Duration.between(now, due)));
    }

    boolean deferred() {
      return !waiting.isEmpty();
    }
  }

  /**
   * Settles {@code attempted} for {@code item} of queue {@code queue}; completes when Kafka has every record.
   *
   * @param content the copy as it was delivered (returned in DSNs)
   */
  Future<Void> settle(String queue, DeliveryItem item, Attempted attempted, MessageSource content) {
    Instant now = clock.instant();
    Plan plan = Plan.of(schedule, queueStates.nextHops().inRetry(queue, now).map(NextHopQueues.Retry::until), item,
        attempted, now);
    queueStates.settled(queue, item, plan.outcomes(), plan.deferred());
    count(item, attempted, plan, now);
    SourceContext sourceContext = attempted.context();
    List<Future<?>> durable = new ArrayList<>();
    if (plan.deferred()) {
      DeliveryItem again = DeliveryItem.newBuilder(item).setRecipients(plan.waiting()).setAttempt(plan.attempts())
          .setNotBefore(plan.due()).setDelayNotified(notices.delayNotified(item, now)).build();
      sourceContext = sourceContext.with("deferred to " + plan.delayTopic().name() + " until " + plan.due());
      durable.add(acked(publisher.send(plan.delayTopic(), queue, again)));
    }
    Attempt attempt = new Attempt(attempted.source(), attempted.connectorId(), attempted.remoteHost(),
        sourceContext.toString());
    for (TrackingEvent event : DeliveryTracking.events(item, tracking, attempt, plan.outcomes())) {
      durable.add(acked(publisher.send(Topics.TRACKING, item.getEnvelope().getNetworkMessageId(), event)));
    }
    List<Report> reports = new ArrayList<>(3);
    if (!attempted.failuresUnreported()) {
      nonDeliveryReport(item, plan.outcomes(), content, attempted.remoteHost()).ifPresent(reports::add);
    }
    // delay DSN (once, past DelayNotificationTimeout) and success DSNs (NOTIFY=SUCCESS)
    reports.addAll(notices.after(item, plan.outcomes(), content, attempted.source() == DeliveryTracking.STOREDRIVER,
        attempted.dsnPassedOn(), attempted.remoteHost(), now));
    for (Report report : reports) {
      report.publish(publisher).forEach(ack -> durable.add(acked(ack)));
      meters.reported(report.kind());
    }
    return Future.all(durable).mapEmpty();
  }

  /** The stage's meters for one settled copy: the attempt, each recipient's outcome, the latency if delivered. */
  private void count(DeliveryItem item, Attempted attempted, Plan plan, Instant now) {
    if (attempted.attempted()) {
      meters.attempted(item.getNextHop().getDeliveryType());
    }
    boolean delivered = false;
    for (DeliveryOutcome outcome : plan.outcomes()) {
      meters.settled(outcome);
      delivered |= outcome instanceof DeliveryOutcome.Delivered;
    }
    if (delivered) {
      meters.delivered(Duration.between(item.getEnvelope().getReceivedAt(), now));
    }
  }

  /**
   * The DSN for the copy's failed recipients, if any may be reported. A DSN that cannot be built is
   * logged, not retried: the FAIL events are written either way, and retrying would deliver the copy's
   * other recipients again.
   */
  private Optional<Report> nonDeliveryReport(DeliveryItem item, List<DeliveryOutcome> outcomes,
      MessageSource content, String remoteHost) {
    if (item.getReplayOf() != null || item.getEnvelope().getReplayOf() != null) {
      return Optional.empty(); // a replayed copy (Safety Net resubmit): the original already reported its fate
    }
    try {
      return dsns.forFailures(item, outcomes, content, remoteHost);
    } catch (RuntimeException e) {
      log.error("delivery: no DSN for {} (network message id {}, sender {}): {}", item.getInternalMessageId(),
          item.getEnvelope().getNetworkMessageId(), item.getEnvelope().getSender(), e.toString());
      return Optional.empty();
    }
  }

  /** A Kafka acknowledgement as a future completing on our context. */
  private <T> Future<T> acked(CompletableFuture<T> kafka) {
    return Future.fromCompletionStage(kafka, context);
  }
}
