package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class KafkaSubmissionPublisherTest {
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final KafkaSubmissionPublisher publisher =
      new KafkaSubmissionPublisher(new TopicPublisher(producer, "test"));

  @Test
  void publishesToSubmissionTopicKeyedByNetworkMessageIdAndCompletesOnAck() throws Exception {
    CompletableFuture<Void> done = publisher.publish(message("nmid-1")).toCompletableFuture();
    Awaitility.await().until(() -> producer.history().size() == 1);
    assertEquals(Topics.SUBMISSION.name(), producer.history().get(0).topic());
    assertEquals("nmid-1", producer.history().get(0).key());
    producer.completeNext();
    done.get(5, TimeUnit.SECONDS);
  }

  @Test
  void kafkaTimeoutIsBackPressure() {
    CompletableFuture<Void> done = publisher.publish(message("nmid-2")).toCompletableFuture();
    Awaitility.await().until(() -> producer.history().size() == 1);
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(5, TimeUnit.SECONDS));
    assertInstanceOf(BackPressureException.class, e.getCause());
  }

  @Test
  void otherFailuresStayFailedWrites() {
    CompletableFuture<Void> done = publisher.publish(message("nmid-3")).toCompletableFuture();
    Awaitility.await().until(() -> producer.history().size() == 1);
    producer.errorNext(new RecordTooLargeException("too large"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(5, TimeUnit.SECONDS));
    assertInstanceOf(RecordTooLargeException.class, e.getCause());
  }

  private static SubmittedMessage message(String networkMessageId) {
    return SubmittedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(networkMessageId).setReceivedAt(Instant.EPOCH)
            .setReceivingServer("EX01").setReceiveConnector("c").setSessionId("s").setClientIp("127.0.0.1")
            .setClientHostname("h").setSender("").setSize(1).setBodyType(BodyType.SEVEN_BIT).build())
        .setRecipients(List.of())
        .setBody(new InlineBody(ByteBuffer.wrap(new byte[] {'x'})))
        .build();
  }
}
