package io.mailflow.tracking;

import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Tracking events for tests, written with the stages' own {@link Tracking} builder at fixed times. */
final class Events {
  static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private Events() {}

  static Envelope envelope(String nmid, String sender, String messageId, String subject) {
    return Envelope.newBuilder().setNetworkMessageId(nmid).setSender(sender).setMessageIdHeader(messageId)
        .setSubject(subject).setSize(2048).setReceivedAt(T0).setReceivingServer("EX01").setSessionId("s1")
        .setClientIp("192.0.2.10").setReceiveConnector("Default Frontend EX01").setClientHostname("client.test")
        .build();
  }

  /** A builder for server {@code server} at {@code T0 + seconds}. */
  static Tracking at(String server, long seconds) {
    return new Tracking(server, Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC));
  }

  static TrackingEvent event(String server, long seconds, Envelope env, TrackingSource source, TrackingEventId id,
      List<String> recipients, List<String> statuses) {
    return at(server, seconds).about(env, source, id, recipients, statuses).build();
  }

  static TrackingEvent queueState(String server, long seconds, String queue, String status) {
    return at(server, seconds).aboutNoMessage(TrackingSource.QUEUE, TrackingEventId.QUEUESTATE)
        .setQueue(QueueState.newBuilder().setIdentity(queue).setStatus(status).build()).build();
  }
}
