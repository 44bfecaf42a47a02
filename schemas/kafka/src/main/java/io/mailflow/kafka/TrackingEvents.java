package io.mailflow.kafka;

import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Instant;
import java.util.List;

/**
 * TrackingEvents - starts a message-tracking event with the fields every stage fills the same way.
 *
 * <p>Exchange's semantics: server-hostname is the server writing the event; sender-address and
 * return-path are the envelope sender; total-bytes the message size; message-id the Message-ID header.
 */
public final class TrackingEvents {
  private TrackingEvents() {}

  /** A builder for event {@code eventId} from {@code source} about the message of {@code envelope}. */
  public static TrackingEvent.Builder about(Envelope envelope, String serverHostname, String source, String eventId) {
    return TrackingEvent.newBuilder()
        .setDateTime(Instant.now())
        .setServerHostname(serverHostname)
        .setSource(source)
        .setEventId(eventId)
        .setNetworkMessageId(envelope.getNetworkMessageId())
        .setMessageId(envelope.getMessageIdHeader())
        .setMessageSubject(envelope.getSubject())
        .setSenderAddress(envelope.getSender())
        .setReturnPath(envelope.getSender())
        .setTotalBytes(envelope.getSize());
  }

  /** The same with recipients, their count and (possibly empty) per-recipient statuses. */
  public static TrackingEvent.Builder about(Envelope envelope, String serverHostname, String source, String eventId,
      List<String> recipients, List<String> statuses) {
    return about(envelope, serverHostname, source, eventId)
        .setRecipientAddress(recipients)
        .setRecipientStatus(statuses)
        .setRecipientCount(recipients.size());
  }
}
