package io.mailflow.kafka;

import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;

/**
 * TrackingEventBuilder - one message-tracking event in the making, started by {@link Tracking} with the
 * fields every stage fills the same way; the setters here are the fields that differ between stages.
 */
public final class TrackingEventBuilder {
  private final TrackingEvent.Builder event;

  TrackingEventBuilder(TrackingEvent.Builder event) {
    this.event = event;
  }

  /** recipient-address, recipient-status (possibly empty: no per-recipient status) and recipient-count. */
  public TrackingEventBuilder recipients(List<String> addresses, List<String> statuses) {
    event.setRecipientAddress(addresses).setRecipientStatus(statuses).setRecipientCount(addresses.size());
    return this;
  }

  /** internal-message-id: the copy's id on this server. */
  public TrackingEventBuilder internalMessageId(String id) {
    event.setInternalMessageId(id);
    return this;
  }

  /** related-recipient-address: the group expanded, the address resolved or redirected from. */
  public TrackingEventBuilder relatedRecipient(String address) {
    event.setRelatedRecipientAddress(address);
    return this;
  }

  /** reference: what this event refers to (the record it came from, the original of a DSN). */
  public TrackingEventBuilder reference(String reference) {
    event.setReference(reference);
    return this;
  }

  /** connector-id: the receive or send connector. */
  public TrackingEventBuilder connector(String connectorId) {
    event.setConnectorId(connectorId);
    return this;
  }

  /** server-ip: the remote server a SEND went to (its address or host name). */
  public TrackingEventBuilder serverIp(String serverIp) {
    event.setServerIp(serverIp);
    return this;
  }

  /** client-ip and client-hostname: who sent the message to a RECEIVE. */
  public TrackingEventBuilder client(String ip, String hostname) {
    event.setClientIp(ip).setClientHostname(hostname);
    return this;
  }

  /** source-context: free text saying why, for the admin reading the log. */
  public TrackingEventBuilder context(String sourceContext) {
    event.setSourceContext(sourceContext);
    return this;
  }

  /** message-info: the message's own information (the original message id of a DSN ...). */
  public TrackingEventBuilder messageInfo(String messageInfo) {
    event.setMessageInfo(messageInfo);
    return this;
  }

  /** directionality: Incoming or Originating. */
  public TrackingEventBuilder directionality(String directionality) {
    event.setDirectionality(directionality);
    return this;
  }

  /** The queue's state, on QUEUESTATE events. */
  public TrackingEventBuilder queue(QueueState state) {
    event.setQueue(state);
    return this;
  }

  public TrackingEvent build() {
    return event.build();
  }
}
