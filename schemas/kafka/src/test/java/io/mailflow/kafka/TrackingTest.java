package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackingTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:15:30Z");
  private final Tracking tracking = new Tracking("EX01", Clock.fixed(NOW, ZoneOffset.UTC));

  private static Envelope envelope() {
    return Envelope.newBuilder().setNetworkMessageId("nmid-1").setSender("carol@example.com")
        .setMessageIdHeader("<m1@example.com>").setSubject("hello").setSize(1234)
        .setReceivedAt(NOW).setReceivingServer("EX01").setSessionId("s1").setClientIp("127.0.0.1")
        .setReceiveConnector("Default Frontend EX01").setClientHostname("client.example.com").build();
  }

  @Test
  void messageEventCarriesTheServerTheClockAndTheEnvelopesFields() {
    TrackingEvent event = tracking.about(envelope(), TrackingSource.SMTP, TrackingEventId.RECEIVE,
            List.of("alice@contoso.test", "bob@contoso.test"), List.of())
        .setInternalMessageId("42").setConnectorId("Default Frontend EX01").build();
    assertEquals(NOW, event.getDateTime());
    assertEquals("EX01", event.getServerHostname());
    assertEquals("SMTP", event.getSource());
    assertEquals("RECEIVE", event.getEventId());
    assertEquals("nmid-1", event.getNetworkMessageId());
    assertEquals("<m1@example.com>", event.getMessageId());
    assertEquals("hello", event.getMessageSubject());
    assertEquals("carol@example.com", event.getSenderAddress());
    assertEquals("carol@example.com", event.getReturnPath());
    assertEquals(1234L, event.getTotalBytes());
    assertEquals(2, event.getRecipientCount());
    assertEquals("42", event.getInternalMessageId());
    assertEquals("Default Frontend EX01", event.getConnectorId());
  }

  @Test
  void queueEventNamesNoMessage() {
    QueueState state = QueueState.newBuilder().setIdentity("SmartHost:relay").setStatus("Retry").build();
    TrackingEvent event = tracking.aboutNoMessage(TrackingSource.QUEUE, TrackingEventId.QUEUESTATE)
        .setSourceContext("connection refused").setQueue(state).build();
    assertEquals("", event.getNetworkMessageId());
    assertEquals("QUEUESTATE", event.getEventId());
    assertEquals("Retry", event.getQueue().getStatus());
    assertNull(event.getSenderAddress());
  }

  @Test
  void withSubjectLoggingOffNoEventCarriesTheSubject() {
    Tracking noSubjects = new Tracking("EX01", Clock.fixed(NOW, ZoneOffset.UTC), false);
    TrackingEvent event = noSubjects.about(envelope(), TrackingSource.SMTP, TrackingEventId.RECEIVE,
        List.of("alice@contoso.test"), List.of()).build();
    assertNull(event.getMessageSubject());
    assertEquals("<m1@example.com>", event.getMessageId(), "only the subject goes");
  }

  @Test
  void onlyQueueStatesAndQueueActionsAreQueueEvents() {
    assertTrue(Tracking.isQueueEvent(tracking.aboutNoMessage(TrackingSource.QUEUE, TrackingEventId.QUEUESTATE).build()));
    assertTrue(Tracking.isQueueEvent(tracking.aboutNoMessage(TrackingSource.ADMIN, TrackingEventId.QUEUEACTION).build()));
    assertFalse(Tracking.isQueueEvent(tracking.about(envelope(), TrackingSource.SMTP, TrackingEventId.RECEIVE,
        List.of("alice@contoso.test"), List.of()).build()));
  }

  @Test
  void trackingOffSkipsMessageEventsButWritesQueueEventsAndTheTapSeesOnlyWhatIsWritten() throws Exception {
    org.apache.kafka.clients.producer.MockProducer<String, byte[]> producer =
        new org.apache.kafka.clients.producer.MockProducer<>(true, null,
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer());
    java.util.List<TrackingEvent> tapped = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TopicPublisher publisher = new TopicPublisher(producer, "test")) {
      Tracking.configure(publisher, false, tapped::add);
      TrackingEvent receive = tracking.about(envelope(), TrackingSource.SMTP, TrackingEventId.RECEIVE,
          List.of("alice@contoso.test"), List.of()).build();
      TrackingEvent queue = tracking.aboutNoMessage(TrackingSource.QUEUE, TrackingEventId.QUEUESTATE)
          .setQueue(QueueState.newBuilder().setIdentity("hop").setStatus("Ready").build()).build();
      assertNull(publisher.track(receive).get(), "skipped: nothing to wait for");
      publisher.track(queue).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(1, producer.history().size(), "only the queue state reached Kafka");
      assertEquals(List.of(queue), tapped);
    }
  }
}
