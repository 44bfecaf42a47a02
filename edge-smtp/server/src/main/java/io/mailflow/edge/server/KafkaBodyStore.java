package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * KafkaBodyStore - writes body chunks to mail.bodies.v1 keyed by body id (so one body's chunks share
 * a partition, in order) through the edge's producer (acks=all, idempotent); the position comes from
 * the acknowledgement. A Kafka timeout is back pressure, as for submissions. With the embedded broker's flush
 * (DurableLog) a chunk is acknowledged before it is on disk: the submission referencing it flushes its partition
 * ({@link #partitionOf}) with its own, before the 250.
 */
final class KafkaBodyStore implements BodyStore {
  private final TopicPublisher publisher;

  KafkaBodyStore(TopicPublisher publisher) {
    this.publisher = publisher;
  }

  /** The mail.bodies.v1 partition a claim-checked body's chunks are on: flushed with its submission. */
  static Optional<TopicPartition> partitionOf(SubmittedMessage message) {
    return message.getBody() instanceof BodyReference reference && reference.getPartition() >= 0
        ? Optional.of(new TopicPartition(Topics.BODIES.name(), reference.getPartition())) : Optional.empty();
  }

  @Override
  public CompletionStage<ChunkPosition> store(BodyChunk chunk) {
    // not flushed on its own: the submission that references the body has its partition flushed with its own
    // (SubmissionWriter, KafkaSubmissionPublisher), so one flush serves both before the 250
    return publisher.sendFlushedLater(Topics.BODIES, chunk.getBodyId(), chunk)
        .handle((metadata, failure) -> {
          if (failure == null) {
            return new ChunkPosition(metadata.partition(), metadata.offset());
          }
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof TimeoutException) {
            throw new BackPressureException("Kafka did not take body chunk " + chunk.getIndex() + " of "
                + chunk.getBodyId() + " in time: " + cause.getMessage(), cause);
          }
          throw new CompletionException(cause);
        });
  }
}
