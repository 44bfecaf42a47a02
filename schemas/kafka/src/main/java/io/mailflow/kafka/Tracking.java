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
  private final boolean subjectLoggingEnabled;

  /** Events with the message's subject (Exchange's MessageTrackingLogSubjectLoggingEnabled default, true). */
  public Tracking(String serverHostname, Clock clock) {
    this(serverHostname, clock, true);
  }

  /**
   * @param subjectLoggingEnabled false: no event carries message-subject, neither on the topic nor in the files
   *     (transportService messageTrackingLogSubjectLoggingEnabled)
   */
  public Tracking(String serverHostname, Clock clock, boolean subjectLoggingEnabled) {
    this.serverHostname = serverHostname;
    this.clock = clock;
    this.subjectLoggingEnabled = subjectLoggingEnabled;
  }

  /** Events stamped by the system clock, with subjects. */
  public static Tracking of(String serverHostname) {
    return new Tracking(serverHostname, Clock.systemUTC());
  }

  /** Events stamped by the system clock; subjects only when {@code subjectLoggingEnabled}. */
  public static Tracking of(String serverHostname, boolean subjectLoggingEnabled) {
    return new Tracking(serverHostname, Clock.systemUTC(), subjectLoggingEnabled);
  }

  /**
   * The events that still go out when messageTrackingLogEnabled is false: a queue's state (QUEUESTATE) and an
   * administrator's queue action (QUEUEACTION), which the queue viewer (Get-Queue) is computed from. They carry no
   * message, so turning tracking off still records nothing about anyone's mail.
   */
  public static boolean isQueueEvent(TrackingEvent event) {
    String id = event.getEventId();
    return TrackingEventId.QUEUESTATE.name().equals(id) || TrackingEventId.QUEUEACTION.name().equals(id);
  }

  /**
   * Sets up {@code publisher}'s message tracking as transportService says: when {@code enabled} is false only queue
   * events ({@link #isQueueEvent}) are written; {@code file} (may be null: none) sees every event written, e.g. the
   * node's MSGTRK files.
   */
  public static TopicPublisher configure(TopicPublisher publisher, boolean enabled,
      java.util.function.Consumer<? super TrackingEvent> file) {
    if (!enabled) {
      publisher.skip(Topics.TRACKING, event -> !isQueueEvent(event));
    }
    if (file != null) {
      publisher.onSend(Topics.TRACKING, file);
    }
    return publisher;
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
        .setMessageSubject(subjectLoggingEnabled ? envelope.getSubject() : null)
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
