package io.mailflow.kafka;

import io.mailflow.schemas.avro.PoisonRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * PoisonParking - puts a record a stage cannot process on {@code mail.poison.v1}, bytes unchanged and
 * with the reason, so an operator can inspect it and replay it once the cause is fixed.
 */
public final class PoisonParking {
  private PoisonParking() {}

  /** Parks {@code record}; completes when Kafka has the poison record. */
  public static CompletableFuture<RecordMetadata> park(TopicPublisher publisher, String stage,
      ConsumerRecord<String, byte[]> record, String reason, Instant at) {
    PoisonRecord poison = PoisonRecord.newBuilder()
        .setDateTime(at)
        .setStage(stage)
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setReason(reason)
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key().getBytes(StandardCharsets.UTF_8)))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .build();
    return publisher.send(Topics.POISON, record.key() == null ? "" : record.key(), poison);
  }
}
