package io.mailflow.kafka;

import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;

/**
 * Tracking - starts the message-tracking events one server writes: every event carries this server's
 * name and a time from this clock, so tests fix the time and every stage's events read the same way.
 *
 * <p>Exchange's semantics: server-hostname is the server writing the event; sender-address and
 * return-path are the envelope sender; total-bytes the message size; message-id the Message-ID header.
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

  /** Event {@code eventId} from {@code source} about the message of {@code envelope}. */
  public TrackingEventBuilder about(Envelope envelope, TrackingSource source, TrackingEventId eventId) {
    return new TrackingEventBuilder(start(source, eventId)
        .setNetworkMessageId(envelope.getNetworkMessageId())
        .setMessageId(envelope.getMessageIdHeader())
        .setMessageSubject(envelope.getSubject())
        .setSenderAddress(envelope.getSender())
        .setReturnPath(envelope.getSender())
        .setTotalBytes(envelope.getSize()));
  }

  /** An event about no message (a queue's state): network-message-id is empty. */
  public TrackingEventBuilder aboutNoMessage(TrackingSource source, TrackingEventId eventId) {
    return new TrackingEventBuilder(start(source, eventId).setNetworkMessageId(""));
  }

  private TrackingEvent.Builder start(TrackingSource source, TrackingEventId eventId) {
    return TrackingEvent.newBuilder()
        .setDateTime(clock.instant())
        .setServerHostname(serverHostname)
        .setSource(source.name())
        .setEventId(eventId.name());
  }
}
