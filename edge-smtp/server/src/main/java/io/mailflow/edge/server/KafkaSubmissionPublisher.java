package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * KafkaSubmissionPublisher - writes accepted messages to mail.submission.v1 keyed by network message
 * id; done when acks=all came back. A Kafka timeout (broker unreachable, buffer full for too long)
 * is back pressure; every other failure is a failed write.
 */
final class KafkaSubmissionPublisher implements SubmissionPublisher {
  private final TopicPublisher publisher;
  private final Optional<BodyStore> bodies;

  KafkaSubmissionPublisher(TopicPublisher publisher) {
    this.publisher = publisher;
    this.bodies = Optional.of(new KafkaBodyStore(publisher));
  }

  /** Large bodies go to mail.bodies.v1 through the same producer. */
  @Override
  public Optional<BodyStore> bodies() {
    return bodies;
  }

  @Override
  public CompletionStage<Void> publish(SubmittedMessage message) {
    // a claim-checked body's chunks were acknowledged unflushed (KafkaBodyStore): flushed before the 250 too
    CompletableFuture<?> written = publisher.send(Topics.SUBMISSION, message.getEnvelope().getNetworkMessageId(),
        message);
    Optional<TopicPartition> body = KafkaBodyStore.partitionOf(message);
    if (body.isPresent()) { // the chunks are in the log already: their flush may run beside the submission's
      written = CompletableFuture.allOf(written, publisher.durableLog().sync(List.of(body.get())));
    }
    return written
        .handle((metadata, failure) -> {
          if (failure == null) {
            return null;
          }
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof TimeoutException) {
            throw new BackPressureException("Kafka did not take the message in time: " + cause.getMessage(), cause);
          }
          throw new CompletionException(cause);
        });
  }
}
