package io.mailflow.edge.server;

import io.mailflow.schemas.avro.SubmittedMessage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * SubmissionPublisher - puts an accepted message on the Submission queue. The edge answers 250
 * only once the returned stage has completed normally: completion means the message is durable.
 *
 * <p>May be called on an event loop: must not block. The stage may complete on any thread. Fail it
 * with {@link BackPressureException} when the queue cannot take the message now (the client is told
 * 452 4.3.1), with anything else when the write failed (451 4.3.0).
 */
public interface SubmissionPublisher {
  CompletionStage<Void> publish(SubmittedMessage message);

  /**
   * As {@link #publish(SubmittedMessage)}, for a client that is told 452 4.3.1 after {@code timeout}: a
   * publisher that can take messages back ({@link #withdraw}) uses it to give up in time. The default ignores it.
   */
  default CompletionStage<Void> publish(SubmittedMessage message, Duration timeout) {
    return publish(message);
  }

  /**
   * The client's time is up (the edge's submission timeout): takes back {@code publication} (a stage this
   * publisher returned) before the client is told 452 4.3.1. True: the message is certain never to be written
   * (or the publisher cannot tell, as a plain Kafka write: the default, whose late write the edge then logs);
   * false: it may already be written (its commit started), so the client waits for the stage's outcome instead.
   * Called on an event loop: must not block.
   */
  default boolean withdraw(CompletionStage<Void> publication) {
    return true;
  }

  /**
   * Where bodies over the inline limit (512 KB) go in chunks while they arrive; empty (the default)
   * keeps every message in memory and inline, bounded by the connector's maxMessageSize only.
   */
  default Optional<BodyStore> bodies() {
    return Optional.empty();
  }
}
