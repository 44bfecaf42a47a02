package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * UnreachableQueue - Exchange's Unreachable queue: copies routing found no next hop for wait here on
 * the retry schedule, and each time one comes due it is handed back to routing, which decides again
 * with the configuration and down sites in force then. So a config change (a new send connector, a
 * database moved) or a site coming back up re-routes what waits here; nothing needs to be told.
 *
 * <p>Routing stamps {@code notBefore} on every Unreachable copy it writes ("just routed"), and the retry
 * forwarder clears it when a copy comes back due. So: a copy with {@code notBefore} is deferred (transient,
 * onto a delay topic with attempt + 1, like any copy); a copy without it is due and is published again on
 * mail.categorized.v1 (same internal and network message ids, recipients and body, and its attempt count,
 * so that routing, finding still no route, writes it back with the schedule continuing) and tracked as
 * RESUBMIT (source QUEUE). When the message expires (the schedule's expiration timeout, 2 days), every
 * recipient fails with Exchange's {@code 550 5.4.4 ROUTING.NoNextHop; unable to route} and gets an NDR.
 */
final class UnreachableQueue implements DeliveryAgent {
  /** Exchange's status for a recipient routing never found a next hop for. */
  static final SmtpReply NO_NEXT_HOP = SmtpReply.of(550, "5.4.4", "ROUTING.NoNextHop; unable to route");
  static final TrackingSource SOURCE = TrackingSource.QUEUE;
  static final TrackingEventId EVENT = TrackingEventId.RESUBMIT;

  private final Context context;
  private final TopicPublisher publisher;
  private final RetrySchedule schedule;
  private final Clock clock;
  private final String serverName;
  private final boolean subjectLoggingEnabled;

  UnreachableQueue(Context context, TopicPublisher publisher, RetrySchedule schedule, Clock clock,
      String serverName) {
    this(context, publisher, schedule, clock, serverName, true);
  }

  /** @param subjectLoggingEnabled transportService messageTrackingLogSubjectLoggingEnabled */
  UnreachableQueue(Context context, TopicPublisher publisher, RetrySchedule schedule, Clock clock,
      String serverName, boolean subjectLoggingEnabled) {
    this.subjectLoggingEnabled = subjectLoggingEnabled;
    this.context = context;
    this.publisher = publisher;
    this.schedule = schedule;
    this.clock = clock;
    this.serverName = serverName;
  }

  /** Tracked with source QUEUE; no connector, no remote host. */
  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    return handle(item).map(outcomes -> Attempted.of(SOURCE, null, null, context, outcomes));
  }

  /**
   * The outcome of an Unreachable copy's turn: every recipient failed (expired), every recipient
   * deferred (just routed), or none (handed back to routing; completes once Kafka has it).
   */
  Future<List<DeliveryOutcome>> handle(DeliveryItem item) {
    Instant now = clock.instant();
    if (schedule.expired(item.getEnvelope().getReceivedAt(), now)) {
      return Future.succeededFuture(DeliveryOutcome.sameFor(Attempted.addresses(item), NO_NEXT_HOP));
    }
    if (item.getNotBefore() != null) {
      SmtpReply waiting = SmtpReply.of(451, "4.4.0", "ROUTING.NoNextHop; unable to route now: waiting in the"
          + " Unreachable queue; routing decides again at the next retry");
      return Future.succeededFuture(DeliveryOutcome.sameFor(Attempted.addresses(item), waiting));
    }
    return handBack(item).map(v -> List.of());
  }

  private Future<Void> handBack(DeliveryItem item) {
    CategorizedMessage again = CategorizedMessage.newBuilder()
        .setEnvelope(item.getEnvelope())
        .setInternalMessageId(item.getInternalMessageId())
        .setRecipients(item.getRecipients())
        .setBody(item.getBody())
        .setAttempt(item.getAttempt())
        .build();
    String networkMessageId = item.getEnvelope().getNetworkMessageId();
    var event = new Tracking(serverName, clock, subjectLoggingEnabled).about(item.getEnvelope(), SOURCE, EVENT,
            item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList(), List.of())
        .setInternalMessageId(item.getInternalMessageId())
        .setSourceContext("Unreachable queue: handed back to routing after attempt " + item.getAttempt())
        .build();
    return Future.all(
            Future.fromCompletionStage(publisher.send(Topics.CATEGORIZED, networkMessageId, again), context),
            Future.fromCompletionStage(publisher.send(Topics.TRACKING, networkMessageId, event), context))
        .mapEmpty();
  }
}
