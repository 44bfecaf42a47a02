package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Which failures are Kafka being unavailable (waited out) and which are the record's (counted toward parking). */
class KafkaOutageTest {
  @Test
  void kafkaBeingUnavailableIsAnOutageHoweverItIsWrapped() {
    assertTrue(KafkaOutage.isOutage(new TimeoutException("Topic mail.tracking.v1 not present in metadata after 10000 ms.")));
    assertTrue(KafkaOutage.isOutage(new CompletionException(new NotEnoughReplicasException("not enough replicas"))));
    assertTrue(KafkaOutage.isOutage(new ExecutionException(new UnknownTopicOrPartitionException("gone"))));
    assertTrue(KafkaOutage.isOutage(new KafkaUnavailableException("cannot reach Kafka", null)));
    // a stage's own exception with the client's as its cause, or with only its message
    assertTrue(KafkaOutage.isOutage(new IllegalStateException("settling failed",
        new CompletionException(new TimeoutException("Expiring 3 record(s)")))));
    assertTrue(KafkaOutage.isOutage(new IllegalStateException(
        "org.apache.kafka.common.errors.TimeoutException: Topic mail.delivery.v1 not present in metadata after 10000 ms.")));
  }

  @Test
  void aRecordsOwnFailureIsNot() {
    assertFalse(KafkaOutage.isOutage(new RecordTooLargeException("the record is 70 MB")));
    assertFalse(KafkaOutage.isOutage(new CompletionException(new SerializationException("bad bytes"))));
    assertFalse(KafkaOutage.isOutage(new IllegalStateException("remote said no")));
    assertFalse(KafkaOutage.isOutage(new java.util.concurrent.TimeoutException("processing did not finish within 240 s")));
    assertFalse(KafkaOutage.isOutage(null));
  }

  @Test
  void aCyclicCauseChainEnds() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalStateException b = new IllegalStateException("b", a);
    a.initCause(b);
    assertFalse(KafkaOutage.isOutage(a));
  }
}
