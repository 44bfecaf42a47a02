package io.mailflow.edge.server;

import java.time.Clock;
import java.time.Duration;

/**
 * EdgeOptions - settings of the edge itself, not of any receive connector.
 *
 * @param submissionTimeout how long a client waits for the Kafka acknowledgement before it gets
 *     452 4.3.1 and keeps the message. Longer than the producer's delivery timeout (30 s) so Kafka's
 *     own verdict normally comes first; far below the 10 minutes a client waits (RFC 5321 4.5.3.2.6).
 * @param clock for dates in headers, envelopes and events
 */
public record EdgeOptions(Duration submissionTimeout, Clock clock) {

  public static final Duration DEFAULT_SUBMISSION_TIMEOUT = Duration.ofSeconds(45);

  public EdgeOptions {
    if (submissionTimeout == null || submissionTimeout.isNegative() || submissionTimeout.isZero()) {
      throw new IllegalArgumentException("submissionTimeout must be positive, got " + submissionTimeout);
    }
    if (clock == null) {
      clock = Clock.systemDefaultZone();
    }
  }

  public static EdgeOptions defaults() {
    return new EdgeOptions(DEFAULT_SUBMISSION_TIMEOUT, Clock.systemDefaultZone());
  }

  public EdgeOptions withSubmissionTimeout(Duration timeout) {
    return new EdgeOptions(timeout, clock);
  }

  public EdgeOptions withClock(Clock c) {
    return new EdgeOptions(submissionTimeout, c);
  }
}
