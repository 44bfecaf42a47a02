package io.mailflow.admin;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** QueuedCopies - DeliveryItems written straight to the delivery or delay topics, as routing and delivery would. */
final class QueuedCopies {
  static {
    AvroCodec.of(DeliveryItem.class); // trusts our Avro package, so builders may fill in enum defaults
  }

  private QueuedCopies() {}

  /** A fresh smart-host queue key (unique per test) and its domain. */
  static String queue() {
    return "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
  }

  static String domain(String queue) {
    return queue.substring(queue.indexOf(':') + 1);
  }

  /** A copy for {@code queue} from {@code sender} to {@code recipients}, received at {@code receivedAt}. */
  static DeliveryItem item(String queue, String id, String sender, Instant receivedAt, int attempt,
      String... recipients) {
    String message = "Received: from client.fabrikam.test\r\nFrom: " + sender + "\r\nTo: "
        + String.join(", ", recipients) + "\r\nSubject: hello\r\n\tfolded " + id + "\r\nMessage-ID: <" + id
        + "@fabrikam.test>\r\n\r\nbody of " + id + "\r\n";
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId("nmid-" + id).setReceivedAt(receivedAt)
        .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("08DC0001")
        .setClientIp("127.0.0.1").setClientHostname("client.fabrikam.test").setSender(sender)
        .setMessageIdHeader("<" + id + "@fabrikam.test>").setSubject("hello folded " + id)
        .setSize(message.length()).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId(id).setAttempt(attempt)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain(domain(queue)).setConnector("Outbound").build())
        .setRecipients(Arrays.stream(recipients).map(r -> ResolvedRecipient.newBuilder().setAddress(r)
            .setOriginalAddress(r).setType(RecipientType.EXTERNAL).build()).toList())
        .setBody(new InlineBody(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)))).build();
  }

  /** Writes one copy and waits for the ack; answers where it landed. */
  static RecordMetadata write(String bootstrap, Topic<DeliveryItem> topic, String queue, DeliveryItem item) {
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "queued-copies")) {
      return publisher.send(topic, queue, item).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes one copy stamped {@code timestamp} (the record's CreateTime), for ordering tests. */
  static RecordMetadata writeAt(String bootstrap, Topic<DeliveryItem> topic, String queue, DeliveryItem item,
      Instant timestamp) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaClientConfig.producer(bootstrap, "queued-copies-at"))) {
      return producer.send(new ProducerRecord<>(topic.name(), null, timestamp.toEpochMilli(), queue,
          topic.codec().encode(item))).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Commits {@code group}'s offset on the record's partition just past it, as a stage does once it is processed. */
  static void commitPast(String bootstrap, String group, RecordMetadata record) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        KafkaClientConfig.consumer(bootstrap, group, "queued-copies-commit"))) {
      TopicPartition p = new TopicPartition(record.topic(), record.partition());
      consumer.assign(List.of(p));
      consumer.commitSync(Map.of(p, new OffsetAndMetadata(record.offset() + 1)), Duration.ofSeconds(10));
    }
  }
}
