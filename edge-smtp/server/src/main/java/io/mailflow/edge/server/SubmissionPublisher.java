package io.mailflow.edge.server;

import io.mailflow.schemas.avro.SubmittedMessage;
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
   * Where bodies over the inline limit (512 KB) go in chunks while they arrive; empty (the default)
   * keeps every message in memory and inline, bounded by the connector's maxMessageSize only.
   */
  default Optional<BodyStore> bodies() {
    return Optional.empty();
  }
}
