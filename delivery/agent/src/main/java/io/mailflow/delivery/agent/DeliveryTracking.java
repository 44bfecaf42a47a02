package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.kafka.TrackingEvents;
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

  static final String STOREDRIVER = "STOREDRIVER";
  static final String SMTP = "SMTP";

  private DeliveryTracking() {}

  /** What the attempt was, for the event fields beyond the outcomes. */
  record Attempt(String source, String connectorId, String remoteHost, String context) {}

  /** One event per kind of outcome present, in the order delivered, failed, deferred. */
  static List<TrackingEvent> events(DeliveryItem item, String serverName, Attempt attempt,
      List<DeliveryOutcome> outcomes) {
    List<TrackingEvent> events = new ArrayList<>(3);
    String success = STOREDRIVER.equals(attempt.source()) ? "DELIVER" : "SEND";
    add(events, item, serverName, attempt, success, outcomes, DeliveryOutcome.Delivered.class);
    add(events, item, serverName, attempt, "FAIL", outcomes, DeliveryOutcome.Permanent.class);
    add(events, item, serverName, attempt, "DEFER", outcomes, DeliveryOutcome.Transient.class);
    return events;
  }

  private static void add(List<TrackingEvent> events, DeliveryItem item, String serverName, Attempt attempt,
      String eventId, List<DeliveryOutcome> outcomes, Class<? extends DeliveryOutcome> kind) {
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
    events.add(TrackingEvents.about(item.getEnvelope(), serverName, attempt.source(), eventId, recipients, statuses)
        .setInternalMessageId(item.getInternalMessageId())
        .setConnectorId(attempt.connectorId())
        .setServerIp(attempt.remoteHost())
        .setSourceContext(attempt.context())
        .build());
  }
}
