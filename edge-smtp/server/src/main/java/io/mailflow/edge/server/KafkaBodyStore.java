package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * KafkaBodyStore - writes body chunks to mail.bodies.v1 keyed by body id (so one body's chunks share
 * a partition, in order) through the edge's producer (acks=all, idempotent); the position comes from
 * the acknowledgement. A Kafka timeout is back pressure, as for submissions.
 */
final class KafkaBodyStore implements BodyStore {
  private final TopicPublisher publisher;

  KafkaBodyStore(TopicPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public CompletionStage<ChunkPosition> store(BodyChunk chunk) {
    return publisher.send(Topics.BODIES, chunk.getBodyId(), chunk)
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
