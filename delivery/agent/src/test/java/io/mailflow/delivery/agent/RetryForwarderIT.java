package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The forwarder of one delay topic (mail.retry.15m.v1 here, which no other test uses) on the embedded broker. */
class RetryForwarderIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static String bootstrap;
  private static TopicPublisher publisher;
  private static RetryForwarder forwarder;
  private static TopicTail<DeliveryItem> deliveries;
  private static TopicTail<PoisonRecord> poison;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    publisher = TopicPublisher.create(bootstrap, "retry-forwarder-it");
    deliveries = new TopicTail<>(bootstrap, Topics.DELIVERY);
    poison = new TopicTail<>(bootstrap, Topics.POISON);
    forwarder = RetryForwarder.start(bootstrap, "retry-forwarder-it", DeliveryStage.STAGE_NAME, Topics.RETRY_15M, publisher, Clock.systemUTC(),
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() throws Exception {
    if (forwarder != null) {
      forwarder.close();
    }
    if (deliveries != null) {
      deliveries.close();
      poison.close();
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  private static DeliveryItem item(String nmid, Instant notBefore) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("c").setSessionId("s").setClientIp("127.0.0.1").setClientHostname("h")
        .setSender("a@contoso.test").setSize(3).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain("later.test").setConnector("X").build())
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("x@later.test")
            .setOriginalAddress("x@later.test").setType(RecipientType.EXTERNAL).build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hi\n".getBytes(UTF_8)))).setAttempt(3).setNotBefore(notBefore).build();
  }

  private static boolean is(DeliveryItem i, String nmid) {
    return i.getEnvelope().getNetworkMessageId().equals(nmid);
  }

  @Test
  void aCopyIsForwardedOnlyWhenDueAndThoseBehindItWaitInOrder() throws Exception {
    String first = UUID.randomUUID().toString();
    String behind = UUID.randomUUID().toString();
    Instant due = Instant.now().plusMillis(1500);
    publisher.send(Topics.RETRY_15M, "key-a", item(first, due)).get(10, TimeUnit.SECONDS);
    publisher.send(Topics.RETRY_15M, "key-a", item(behind, null)).get(10, TimeUnit.SECONDS);

    deliveries.await(i -> is(i, behind), 1, WAIT);
    ConsumerRecord<String, DeliveryItem> a = deliveries.records(i -> is(i, first)).get(0);
    ConsumerRecord<String, DeliveryItem> b = deliveries.records(i -> is(i, behind)).get(0);
    assertTrue(a.timestamp() >= due.toEpochMilli(), "forwarded at " + a.timestamp() + ", due " + due.toEpochMilli());
    assertTrue(a.offset() < b.offset() || a.partition() != b.partition(), "in order");
    assertEquals("key-a", a.key(), "same next-hop key");
    assertEquals(3, a.value().getAttempt(), "attempt count kept");
    assertNull(a.value().getNotBefore(), "due time cleared on mail.delivery.v1");
  }

  @Test
  void anUndecodableRecordOnADelayTopicIsParkedAndTheRestFlows() throws Exception {
    var config = KafkaClientConfig.producer(bootstrap, "garbage");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    String key = "garbage-" + UUID.randomUUID();
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(config)) {
      raw.send(new ProducerRecord<>(Topics.RETRY_15M.name(), key, "not avro".getBytes(UTF_8))).get(10, TimeUnit.SECONDS);
    }
    String after = UUID.randomUUID().toString();
    publisher.send(Topics.RETRY_15M, key, item(after, null)).get(10, TimeUnit.SECONDS);

    PoisonRecord parked = poison.await(p -> p.getTopic().equals(Topics.RETRY_15M.name())
        && key.equals(p.getKey() == null ? null : UTF_8.decode(p.getKey().duplicate()).toString()), 1, WAIT).get(0);
    assertEquals(DeliveryStage.STAGE_NAME, parked.getStage());
    deliveries.await(i -> is(i, after), 1, WAIT);
  }
}
