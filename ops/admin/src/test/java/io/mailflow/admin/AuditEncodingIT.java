package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.EventStreamSettings.EventFormat;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The admin API's audit (QUEUEACTION tracking events) is written as the organization's trackingEventFormat says. */
class AuditEncodingIT {

  static List<ConsumerRecord<String, byte[]>> tracking(String bootstrap, String key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRACKING.name()).stream()
          .map(i -> new TopicPartition(Topics.TRACKING.name(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (found.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if (key.equals(r.key())) {
            found.add(r);
          }
        });
      }
    }
    return found;
  }

  static String contentType(ConsumerRecord<String, byte[]> r) {
    return new String(r.headers().lastHeader(EventEncoding.CONTENT_TYPE).value(), StandardCharsets.US_ASCII);
  }

  @Test
  void aQueueActionsAuditIsAvroWhenTheOrganizationSaysAvroAndJsonOtherwise() {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    QueueActions.Actor actor = new QueueActions.Actor("admin@contoso.test", "api", "127.0.0.1", "EX01");

    String avroQueue = "SmartHostConnectorDelivery:avro-" + UUID.randomUUID();
    QueueActions.apply(bootstrap, QueueActions.Action.SUSPEND, avroQueue, "maintenance", actor, Duration.ofSeconds(30),
        "audit-it", new EventEncoding(EventFormat.Avro, EventFormat.Json));
    ConsumerRecord<String, byte[]> avro = tracking(bootstrap, avroQueue).get(0);
    assertEquals(EventEncoding.AVRO, contentType(avro));
    assertEquals((byte) 0xC3, avro.value()[0]);

    String jsonQueue = "SmartHostConnectorDelivery:json-" + UUID.randomUUID();
    QueueActions.apply(bootstrap, QueueActions.Action.SUSPEND, jsonQueue, "maintenance", actor, Duration.ofSeconds(30),
        "audit-it");
    ConsumerRecord<String, byte[]> json = tracking(bootstrap, jsonQueue).get(0);
    assertEquals(EventEncoding.JSON, contentType(json));
    String text = new String(json.value(), StandardCharsets.UTF_8);
    assertTrue(text.contains("\"event-id\":\"QUEUEACTION\""), text);

    TrackingEvent a = Topics.TRACKING.codec().decode(avro.value());
    TrackingEvent j = Topics.TRACKING.codec().decode(json.value());
    assertEquals("QUEUEACTION", a.getEventId());
    assertEquals(a.getSource(), j.getSource());
  }
}
