package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.EventStreamSettings.EventFormat;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** TopicPublisher's event streams: encoded and tapped on the publisher's thread, in the order they were sent. */
class TopicPublisherTest {

  private static MockProducer<String, byte[]> producer() {
    return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  }

  private static TrackingEvent event(int n) {
    return TrackingEvent.newBuilder().setDateTime(Instant.parse("2026-12-08T00:30:00.123Z").plusMillis(n))
        .setServerHostname("EX01").setSource("SMTP").setEventId("RECEIVE").setNetworkMessageId("nmid-" + n).build();
  }

  @Test
  void eventsAreEncodedAndTappedOnThePublishersThreadInTheOrderSent() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    List<String> tappedOn = new CopyOnWriteArrayList<>();
    List<String> tapped = new CopyOnWriteArrayList<>();
    try (TopicPublisher publisher = new TopicPublisher(producer, "events-test")) {
      publisher.onSend(Topics.TRACKING, e -> {
        tappedOn.add(Thread.currentThread().getName());
        tapped.add(e.getNetworkMessageId());
      });
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        acks.add(publisher.track(event(i)));
      }
      for (CompletableFuture<RecordMetadata> ack : acks) {
        ack.get(10, TimeUnit.SECONDS);
      }
    }
    assertEquals(50, producer.history().size());
    for (int i = 0; i < 50; i++) {
      ProducerRecord<String, byte[]> r = producer.history().get(i);
      assertEquals("nmid-" + i, r.key(), "in the order sent");
      assertEquals(event(i), Topics.TRACKING.codec().decode(r.value()));
      assertTrue(new String(r.value(), StandardCharsets.UTF_8).startsWith("{"), "JSON by default");
      assertEquals(EventEncoding.JSON, new String(r.headers().lastHeader(EventEncoding.CONTENT_TYPE).value(),
          StandardCharsets.US_ASCII));
      assertEquals("nmid-" + i, tapped.get(i));
    }
    assertTrue(tappedOn.stream().allMatch("kafka-send-events-test"::equals), "not the caller's thread: " + tappedOn);
  }

  @Test
  void anEventThatCannotBeEncodedFailsItsOwnFutureAndTheNextOneGoes() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    try (TopicPublisher publisher = new TopicPublisher(producer, "events-bad",
        new EventEncoding(EventFormat.Avro, EventFormat.Avro))) {
      TrackingEvent broken = new TrackingEvent(); // required fields null: Avro refuses it
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> publisher.send(Topics.TRACKING, "k", broken).get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof RuntimeException, e.toString());
      publisher.track(event(1)).get(10, TimeUnit.SECONDS);
    }
    assertEquals(1, producer.history().size());
    assertEquals(event(1), Topics.TRACKING.codec().decode(producer.history().get(0).value()));
  }

  @Test
  void bothWritesAvroOnTheTopicAndJsonOnItsTwinAndCompletesWithTheTopicsAck() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    try (TopicPublisher publisher = new TopicPublisher(producer, "events-both",
        new EventEncoding(EventFormat.Both, EventFormat.Json))) {
      RecordMetadata ack = publisher.track(event(2)).get(10, TimeUnit.SECONDS);
      assertEquals(Topics.TRACKING.name(), ack.topic());
    }
    assertEquals(2, producer.history().size());
    assertEquals(Topics.TRACKING.name(), producer.history().get(0).topic());
    assertEquals(Topics.TRACKING_JSON.name(), producer.history().get(1).topic());
    assertArrayEquals(Topics.TRACKING.codec().encode(event(2)), producer.history().get(0).value());
  }

  @Test
  void eventsWaitForTheDelayAndGoTogetherWhileQueueRecordsGoAtOnce() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    try (TopicPublisher publisher = new TopicPublisher(producer, "events-gathered", EventEncoding.defaults(),
        java.time.Duration.ofHours(1))) {
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        acks.add(publisher.track(event(i)));
      }
      publisher.sendRaw(Topics.SUBMISSION.name(), "queued", new byte[] {1, 2, 3}).get(10, TimeUnit.SECONDS);
      assertEquals(List.of("queued"), producer.history().stream().map(ProducerRecord::key).toList(),
          "the queue record went at once; the events wait for the delay");
      assertTrue(acks.stream().noneMatch(CompletableFuture::isDone));
      publisher.flush(); // what a stage does before its last commit: the gathered events go too
      for (CompletableFuture<RecordMetadata> ack : acks) {
        ack.get(10, TimeUnit.SECONDS);
      }
      assertEquals(List.of("queued", "nmid-0", "nmid-1", "nmid-2", "nmid-3", "nmid-4"),
          producer.history().stream().map(ProducerRecord::key).toList());
    }
  }

  @Test
  void closeSendsTheGatheredEventsAndRefusesLaterOnes() throws Exception {
    MockProducer<String, byte[]> producer = producer();
    TopicPublisher publisher = new TopicPublisher(producer, "events-close", EventEncoding.defaults(),
        java.time.Duration.ofHours(1));
    CompletableFuture<RecordMetadata> gathered = publisher.track(event(7));
    publisher.close();
    gathered.get(10, TimeUnit.SECONDS);
    assertEquals("nmid-7", producer.history().get(0).key(), "sent before the producer closed");
    ExecutionException late = assertThrows(ExecutionException.class,
        () -> publisher.track(event(8)).get(10, TimeUnit.SECONDS));
    assertEquals("publisher is closed", late.getCause().getMessage());
    assertEquals(1, producer.history().size());
  }

  @Test
  void aNegativeEventDelayIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TopicPublisher(producer(),
        "events-negative", EventEncoding.defaults(), java.time.Duration.ofMillis(-1)));
    assertEquals("eventDelay must be zero or positive, got PT-0.001S", e.getMessage());
  }
}
