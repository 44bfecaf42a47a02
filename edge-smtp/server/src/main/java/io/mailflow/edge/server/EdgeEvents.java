package io.mailflow.edge.server;

import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;

/**
 * EdgeEvents - where the edge's observations go: protocol-log lines and message-tracking events.
 * Fire and forget: called on event loops, must not block, and a lost event never fails a session.
 */
public interface EdgeEvents {

  /** One protocol-log line (keyed by its session id where it is stored). */
  void protocol(ProtocolEvent event);

  /** One message-tracking event (keyed by its network message id where it is stored). */
  void tracking(TrackingEvent event);

  /** Drops every event: for tests and tools that do not log. */
  EdgeEvents NONE = new EdgeEvents() {
    @Override
    public void protocol(ProtocolEvent event) {}

    @Override
    public void tracking(TrackingEvent event) {}
  };
}
