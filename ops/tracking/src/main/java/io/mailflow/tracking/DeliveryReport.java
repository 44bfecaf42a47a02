package io.mailflow.tracking;

import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Instant;
import java.util.List;

/**
 * DeliveryReport - one message's path, per recipient, across every server and site that wrote tracking events
 * about it (Exchange's delivery report, built from Get-MessageTrackingLog's events as Get-MessageTrackingReport
 * builds it).
 *
 * @param networkMessageIds the message's network message id(s): normally one; one per server when a server did
 *     not trust the id another gave it. Oldest first.
 * @param messageId the Message-ID header, as logged (with its angle brackets), or null when no event carries one
 * @param subject the subject, or null (not logged, or subject logging is off)
 * @param sender the envelope sender (sender-address), or null; empty for a null reverse-path (a DSN)
 * @param submitTime the date-time of the message's first event (its first RECEIVE or SUBMIT)
 * @param recipients one line per recipient, in the order they first appear; a group's members follow the group
 * @param messageEvents the message's own events that name no recipient it reports on (RECEIVE, SUBMIT ...), oldest
 *     first
 */
public record DeliveryReport(List<String> networkMessageIds, String messageId, String subject, String sender,
    Instant submitTime, List<Recipient> recipients, List<Event> messageEvents) {

  public DeliveryReport {
    networkMessageIds = List.copyOf(networkMessageIds);
    recipients = List.copyOf(recipients);
    messageEvents = List.copyOf(messageEvents);
  }

  /**
   * One recipient's line.
   *
   * @param address the recipient's address (as first logged)
   * @param status where it stands now (from its latest deciding event)
   * @param expandedFrom the group it was reached through (related-recipient-address of an EXPAND), or null
   * @param events its timeline, oldest first
   */
  public record Recipient(String address, DeliveryStatus status, String expandedFrom, List<Event> events) {
    public Recipient {
      events = List.copyOf(events);
    }
  }

  /**
   * One step of a timeline: a tracking event, or its part about one recipient.
   *
   * @param time date-time
   * @param server server-hostname (the server that wrote it)
   * @param source source (SMTP, STOREDRIVER ...)
   * @param eventId event-id (RECEIVE, DELIVER ...)
   * @param recipientStatus the recipient's status / reply text on this event (e.g. {@code 250 2.1.5 Queued mail for
   *     delivery}, {@code 550 5.1.1 ...}), or null
   * @param sourceContext source-context, or null
   * @param connectorId connector-id, or null
   * @param networkMessageId the network message id the event was logged under
   * @param relatedRecipientAddress related-recipient-address: the group of an EXPAND, the original address of a
   *     RESOLVE or REDIRECT, the address a DSN went to; or null
   */
  public record Event(Instant time, String server, String source, String eventId, String recipientStatus,
      String sourceContext, String connectorId, String networkMessageId, String relatedRecipientAddress) {}

  /**
   * The report built from {@code events}: every event of one message (in any order; events of other messages,
   * QUEUESTATE and QUEUEACTION events are ignored).
   *
   * @throws IllegalArgumentException when {@code events} holds no event of a message
   */
  public static DeliveryReport of(List<TrackingEvent> events) {
    return DeliveryReports.build(events);
  }
}
