package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * DeliveryTracking - the message-tracking events one delivery attempt writes, Exchange's way: DELIVER
 * (source STOREDRIVER) or SEND (source SMTP) for recipients that got the message, FAIL for permanent
 * failures, DEFER for transient ones; recipient-status carries each recipient's reply.
 */
final class DeliveryTracking {

  static final TrackingSource STOREDRIVER = TrackingSource.STOREDRIVER;
  static final TrackingSource SMTP = TrackingSource.SMTP;

  private DeliveryTracking() {}

  /** What the attempt was, for the event fields beyond the outcomes. */
  record Attempt(TrackingSource source, String connectorId, String remoteHost, String context) {}

  /** One event per kind of outcome present, in the order delivered, failed, deferred. */
  static List<TrackingEvent> events(DeliveryItem item, Tracking tracking, Attempt attempt,
      List<DeliveryOutcome> outcomes) {
    List<TrackingEvent> events = new ArrayList<>(3);
    TrackingEventId success = attempt.source() == STOREDRIVER ? TrackingEventId.DELIVER : TrackingEventId.SEND;
    add(events, item, tracking, attempt, success, outcomes, DeliveryOutcome.Delivered.class);
    add(events, item, tracking, attempt, TrackingEventId.FAIL, outcomes, DeliveryOutcome.Permanent.class);
    add(events, item, tracking, attempt, TrackingEventId.DEFER, outcomes, DeliveryOutcome.Transient.class);
    return events;
  }

  private static void add(List<TrackingEvent> events, DeliveryItem item, Tracking tracking, Attempt attempt,
      TrackingEventId eventId, List<DeliveryOutcome> outcomes, Class<? extends DeliveryOutcome> kind) {
    List<String> recipients = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    for (DeliveryOutcome o : outcomes) {
      if (kind.isInstance(o)) {
        recipients.add(o.recipient());
        statuses.add(o.recipientStatus());
      }
    }
    if (recipients.isEmpty()) {
      return;
    }
    events.add(tracking.about(item.getEnvelope(), attempt.source(), eventId,
            recipients, statuses)
        .setInternalMessageId(item.getInternalMessageId())
        .setConnectorId(attempt.connectorId())
        .setServerIp(attempt.remoteHost())
        .setSourceContext(attempt.context())
        .build());
  }
}
