package io.mailflow.edge.server;

import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** RecordingEvents - keeps every protocol and tracking event in memory. */
final class RecordingEvents implements EdgeEvents {
  final List<ProtocolEvent> protocol = new CopyOnWriteArrayList<>();
  final List<TrackingEvent> tracking = new CopyOnWriteArrayList<>();

  @Override
  public void protocol(ProtocolEvent event) {
    protocol.add(event);
  }

  @Override
  public void tracking(TrackingEvent event) {
    tracking.add(event);
  }

  List<ProtocolEvent> session(String sessionId) {
    return protocol.stream().filter(e -> e.getSessionId().equals(sessionId)).toList();
  }
}
