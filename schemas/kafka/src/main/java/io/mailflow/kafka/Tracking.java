package io.mailflow.kafka;

import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.util.List;

/**
 * Tracking - starts the message-tracking events one server writes: every event carries this server's
 * name, a time from this clock, and Exchange's source and event id from the enums, so tests fix the time
 * and every stage's events read the same way. Callers add the fields that differ between stages
 * (internal-message-id, connector-id, source-context ...) with the record's own setters, whose names are
 * Exchange's field names.
 *
 * <p>Exchange's semantics: server-hostname is the server writing the event; sender-address and
 * return-path are the envelope sender; total-bytes the message size; message-id the Message-ID header;
 * recipient-count the number of recipient-address entries.
 */
public final class Tracking {
  private final String serverHostname;
  private final Clock clock;

  public Tracking(String serverHostname, Clock clock) {
    this.serverHostname = serverHostname;
    this.clock = clock;
  }

  /** Events stamped by the system clock. */
  public static Tracking of(String serverHostname) {
    return new Tracking(serverHostname, Clock.systemUTC());
  }

  public String serverHostname() {
    return serverHostname;
  }

  /**
   * Event {@code eventId} from {@code source} about {@code recipients} of the message of {@code envelope};
   * {@code statuses} is each recipient's status, or empty when the event has none.
   */
  public TrackingEvent.Builder about(Envelope envelope, TrackingSource source, TrackingEventId eventId,
      List<String> recipients, List<String> statuses) {
    return start(source, eventId)
        .setNetworkMessageId(envelope.getNetworkMessageId())
        .setMessageId(envelope.getMessageIdHeader())
        .setMessageSubject(envelope.getSubject())
        .setSenderAddress(envelope.getSender())
        .setReturnPath(envelope.getSender())
        .setTotalBytes(envelope.getSize())
        .setRecipientAddress(recipients)
        .setRecipientStatus(statuses)
        .setRecipientCount(recipients.size());
  }

  /** An event about no message (a queue's state): network-message-id is empty. */
  public TrackingEvent.Builder aboutNoMessage(TrackingSource source, TrackingEventId eventId) {
    return start(source, eventId).setNetworkMessageId("");
  }

  private TrackingEvent.Builder start(TrackingSource source, TrackingEventId eventId) {
    return TrackingEvent.newBuilder()
        .setDateTime(clock.instant())
        .setServerHostname(serverHostname)
        .setSource(source.name())
        .setEventId(eventId.name());
  }
}
