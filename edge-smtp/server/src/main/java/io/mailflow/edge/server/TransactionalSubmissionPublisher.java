package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * TransactionalSubmissionPublisher - the edge's Kafka Submission queue: messages go to mail.submission.v1 (key
 * network message id) through a {@link SubmissionWriter} (transactions, group commit), so done means committed
 * and a message withdrawn at its client's timeout is never written. Large bodies go to mail.bodies.v1 through
 * the plain producer: a chunk whose envelope never commits is an orphan, read by nobody, removed by retention.
 */
final class TransactionalSubmissionPublisher implements SubmissionPublisher {
  private final SubmissionWriter writer;
  private final Optional<BodyStore> bodies;

  TransactionalSubmissionPublisher(SubmissionWriter writer, TopicPublisher bodyPublisher) {
    this.writer = writer;
    this.bodies = Optional.of(new KafkaBodyStore(bodyPublisher));
  }

  @Override
  public Optional<BodyStore> bodies() {
    return bodies;
  }

  @Override
  public CompletionStage<Void> publish(SubmittedMessage message) {
    return publish(message, EdgeOptions.DEFAULT_SUBMISSION_TIMEOUT);
  }

  /** Encodes here (the caller's thread, as TopicPublisher does) and queues for the next transaction. */
  @Override
  public CompletionStage<Void> publish(SubmittedMessage message, Duration timeout) {
    byte[] value;
    try {
      value = Topics.SUBMISSION.codec().encode(message);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return writer.submit(message.getEnvelope().getNetworkMessageId(), value, timeout,
        KafkaBodyStore.partitionOf(message).map(List::of).orElse(List.of()));
  }

  @Override
  public boolean withdraw(CompletionStage<Void> publication) {
    return !(publication instanceof SubmissionWriter.Submission s) || s.withdraw();
  }
}
