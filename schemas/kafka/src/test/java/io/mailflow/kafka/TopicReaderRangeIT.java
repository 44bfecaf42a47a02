package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.TrackingEvent;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** TopicReader.between against a real broker: a topic of its own whose records carry chosen timestamps. */
class TopicReaderRangeIT {
  private static final Instant T0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  private static Topic<TrackingEvent> freshTopic(String bootstrap) throws Exception {
    String name = "test.reader-range." + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();
    }
    return Topic.of(name, TrackingEvent.class, Topic.Kind.EVENTS);
  }

  private static void write(KafkaProducer<String, byte[]> producer, Topic<TrackingEvent> topic, int partition,
      Instant at, String id) throws Exception {
    TrackingEvent event = TrackingEvent.newBuilder().setDateTime(at).setSource("TEST").setEventId("RECEIVE")
        .setNetworkMessageId(id).build();
    producer.send(new ProducerRecord<>(topic.name(), partition, at.toEpochMilli(), id, topic.codec().encode(event)))
        .get();
  }

  private static List<String> readAll(TopicReader<TrackingEvent> reader) {
    List<String> ids = new ArrayList<>();
    for (int polls = 0; polls < 300 && !reader.finished(); polls++) {
      reader.poll(Duration.ofMillis(100)).forEach(e -> ids.add(e.value().getNetworkMessageId()));
    }
    return ids;
  }

  @Test
  void readsEveryPartitionWithinTheRangeInclusiveAndStopsAtTheEndItSawWhenCreated() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topic<TrackingEvent> topic = freshTopic(bootstrap);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "range-it"))) {
      for (int p = 0; p < 2; p++) {
        for (int s = 0; s < 4; s++) {
          write(producer, topic, p, T0.plusSeconds(s), "p" + p + "-s" + s);
        }
      }
      try (TopicReader<TrackingEvent> reader = TopicReader.between(bootstrap, topic, T0.plusSeconds(1),
          T0.plusSeconds(2), Duration.ofSeconds(15))) {
        write(producer, topic, 0, T0.plusMillis(1500), "written-while-reading");

        List<String> ids = readAll(reader);

        assertTrue(reader.finished(), "finished after reading " + ids);
        assertEquals(List.of("p0-s1", "p0-s2", "p1-s1", "p1-s2"), ids.stream().sorted().toList());
      }
    }
  }

  @Test
  void aRangeWithNoRecordsIsFinishedAtOnce() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topic<TrackingEvent> topic = freshTopic(bootstrap);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "range-it"))) {
      write(producer, topic, 1, T0, "before");
    }
    try (TopicReader<TrackingEvent> reader = TopicReader.between(bootstrap, topic, T0.plusSeconds(10),
        T0.plusSeconds(20), Duration.ofSeconds(15))) {
      assertTrue(reader.finished());
      assertEquals(List.of(), readAll(reader));
    }
  }

  @Test
  void unboundedReadersAreNeverFinished() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    try (TopicReader<TrackingEvent> reader = TopicReader.fromEnd(bootstrap, freshTopic(bootstrap))) {
      assertFalse(reader.finished());
    }
  }

  @Test
  void fromAfterToIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicReader.between(
        SharedKafka.bootstrapServers(), Topics.DELIVERY, T0.plusSeconds(1), T0, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("is after"), e.getMessage());
  }

  @Test
  void unreachableKafkaIsKafkaUnavailableWithinTheTimeout() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class, () -> TopicReader.between(
        "127.0.0.1:" + closed, Topics.DELIVERY, T0, T0.plusSeconds(1), Duration.ofSeconds(2)));
    assertTrue(e.getMessage().contains("cannot reach Kafka at 127.0.0.1:" + closed), e.getMessage());
  }
}
