package io.mailflow.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailflow.dsn.submission.ReportKind;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.Webhook;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TrackingNotifications - which message-tracking events are status changes a webhook is told of, and the
 * notification (one per recipient) each becomes:
 * <ul>
 *   <li>{@code delivered} — DELIVER (into a mailbox), and SEND to a server outside the organization; a SEND over
 *       Exchange's implicit Intra-Organization SMTP Send Connector (a next hop {@code SmtpRelayTo…}: another
 *       site, a DAG, a connector's source server) is a hop inside the organization, not a final status;
 *   <li>{@code deferred} — DEFER, with the reply and, when delivery wrote it, the next retry time;
 *   <li>{@code failed} — FAIL (delivery's permanent failures, expiry, the categorizer's unknown recipients);
 *   <li>{@code bounced} — the DSN event about the original message when the DSN is a non-delivery report: the
 *       sender was told. Delay and success DSNs are not bounces (the deferred and delivered notifications cover
 *       them), nor is the DSN event about the report message itself.
 * </ul>
 * Nothing else (RECEIVE, SUBMIT, RESOLVE, EXPAND, TRANSFER, QUEUESTATE, QUEUEACTION ...) is sent.
 *
 * <p>The body uses Exchange's message-tracking field names for the message ({@code network-message-id},
 * {@code message-id}, {@code sender-address}, {@code message-subject}, {@code total-bytes}). Each notification's
 * id is a name-based UUID of the event's place in mail.tracking.v1 and the recipient, so a retry, or a re-read
 * after a restart, carries the same id. Pure: no I/O.
 */
final class TrackingNotifications {
  /** Exchange's implicit connector for hops between servers of the organization (delivery's SiteRelay). */
  static final String INTRA_ORGANIZATION_CONNECTOR = "Intra-Organization SMTP Send Connector";
  private static final String INTRA_ORGANIZATION_NEXT_HOP = "next hop SmtpRelayTo";
  /** Delivery's source-context of a deferral: "… deferred to mail.retry.5m.v1 until 2026-12-07T21:00:00Z". */
  private static final Pattern NEXT_RETRY = Pattern.compile("\\buntil (\\S+?)(?:;|$)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean subjectLogging;

  /**
   * @param subjectLogging whether message-subject goes into the body (Exchange's
   *     MessageTrackingLogSubjectLoggingEnabled; a notification never says more than the tracking log does)
   */
  TrackingNotifications(boolean subjectLogging) {
    this.subjectLogging = subjectLogging;
  }

  /** The status change {@code event} is, or null when it is none. */
  static Webhook.Event statusOf(TrackingEvent event) {
    if (event.getNetworkMessageId() == null || event.getNetworkMessageId().isEmpty()) {
      return null; // about no message (a queue's state)
    }
    TrackingEventId id;
    try {
      id = TrackingEventId.valueOf(event.getEventId());
    } catch (IllegalArgumentException e) {
      return null; // an event id newer than this code
    }
    return switch (id) {
      case DELIVER -> Webhook.Event.Delivered;
      case SEND -> insideOrganization(event) ? null : Webhook.Event.Delivered;
      case DEFER -> Webhook.Event.Deferred;
      case FAIL -> Webhook.Event.Failed;
      case DSN -> nonDeliveryReportSent(event) ? Webhook.Event.Bounced : null;
      default -> null;
    };
  }

  private static boolean insideOrganization(TrackingEvent event) {
    return INTRA_ORGANIZATION_CONNECTOR.equals(event.getConnectorId())
        || (event.getSourceContext() != null && event.getSourceContext().contains(INTRA_ORGANIZATION_NEXT_HOP));
  }

  /** The event about the original (it names the report-to address), of a non-delivery report. */
  private static boolean nonDeliveryReportSent(TrackingEvent event) {
    return TrackingSource.DSN.name().equals(event.getSource()) && event.getRelatedRecipientAddress() != null
        && event.getSourceContext() != null
        && event.getSourceContext().startsWith(ReportKind.NON_DELIVERY.text() + " ");
  }

  /** The notifications {@code event} (read at {@code origin}) becomes: one per recipient, none when it is no status change. */
  List<Notification> of(TrackingEvent event, RecordOrigin origin) {
    Webhook.Event status = statusOf(event);
    if (status == null) {
      return List.of();
    }
    List<String> recipients = event.getRecipientAddress();
    List<String> statuses = event.getRecipientStatus();
    List<Notification> notifications = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      String recipient = recipients.get(i);
      String id = id(origin, i, recipient);
      ObjectNode body = JSON.createObjectNode();
      body.put("event", status.jsonName());
      body.put("timestamp", event.getDateTime().toString());
      body.put("id", id);
      ObjectNode message = body.putObject("message");
      message.put("network-message-id", event.getNetworkMessageId());
      message.put("message-id", event.getMessageId());
      message.put("sender-address", event.getSenderAddress());
      // only where Exchange's MessageTrackingLogSubjectLoggingEnabled allows subjects in tracking at all
      if (subjectLogging && event.getMessageSubject() != null) {
        message.put("message-subject", event.getMessageSubject());
      }
      message.put("total-bytes", event.getTotalBytes());
      body.put("recipient", recipient);
      body.put("status", i < statuses.size() ? statuses.get(i) : null);
      if (status == Webhook.Event.Deferred) {
        body.put("next-retry-time", nextRetry(event.getSourceContext()));
      }
      if (status == Webhook.Event.Bounced) {
        ObjectNode report = body.putObject("report");
        report.put("network-message-id", event.getReference());
        report.put("sent-to", event.getRelatedRecipientAddress());
      }
      body.put("server", event.getServerHostname());
      body.put("connector-id", event.getConnectorId());
      body.put("source-context", event.getSourceContext());
      notifications.add(new Notification(id, status, bytes(body)));
    }
    return notifications;
  }

  /** The same for every retry and re-read: where the event is in the log, and which of its recipients. */
  static String id(RecordOrigin origin, int recipientIndex, String recipient) {
    String name = origin.topic() + "-" + origin.partition() + "-" + origin.offset() + "-" + recipientIndex + "-"
        + recipient;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The next retry time delivery wrote into a DEFER's source-context (ISO-8601), or null. */
  static String nextRetry(String sourceContext) {
    if (sourceContext == null) {
      return null;
    }
    Matcher m = NEXT_RETRY.matcher(sourceContext);
    if (!m.find()) {
      return null;
    }
    try {
      return Instant.parse(m.group(1)).toString();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static byte[] bytes(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }
}
