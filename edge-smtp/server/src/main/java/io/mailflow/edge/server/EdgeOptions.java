package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * EdgeOptions - settings of the edge itself, not of any receive connector.
 *
 * @param submissionTimeout how long a client waits for its message's commit on the Submission queue
 *     before the message is withdrawn and the client gets 452 4.3.1 and keeps it (a message whose
 *     commit already started is not withdrawn: its client waits for the outcome). Longer than the
 *     producer's delivery timeout (30 s) so Kafka's own verdict normally comes first; far below the
 *     10 minutes a client waits (RFC 5321 4.5.3.2.6).
 * @param clock for dates in headers, envelopes and events
 * @param defaultCertificate the node's TLS certificate for connectors that name none (Exchange's
 *     self-signed certificate made at setup plays this part), or null: such connectors offer no
 *     STARTTLS
 * @param backPressure the node's resource levels, read at every MAIL FROM ({@link BackPressure#OFF}: never refuses)
 */
public record EdgeOptions(Duration submissionTimeout, Clock clock, ReceiveConnector.Certificate defaultCertificate,
    MeterRegistry meters, BackPressure backPressure) {

  public static final Duration DEFAULT_SUBMISSION_TIMEOUT = Duration.ofSeconds(45);

  public EdgeOptions {
    if (submissionTimeout == null || submissionTimeout.isNegative() || submissionTimeout.isZero()) {
      throw new IllegalArgumentException("submissionTimeout must be positive, got " + submissionTimeout);
    }
    if (clock == null) {
      clock = Clock.systemDefaultZone();
    }
    if (meters == null) {
      meters = new SimpleMeterRegistry(); // private: nothing reads it
    }
    if (backPressure == null) {
      backPressure = BackPressure.OFF;
    }
  }

  public EdgeOptions(Duration submissionTimeout, Clock clock, ReceiveConnector.Certificate defaultCertificate,
      MeterRegistry meters) {
    this(submissionTimeout, clock, defaultCertificate, meters, null);
  }

  public EdgeOptions(Duration submissionTimeout, Clock clock) {
    this(submissionTimeout, clock, null, null);
  }

  public static EdgeOptions defaults() {
    return new EdgeOptions(DEFAULT_SUBMISSION_TIMEOUT, Clock.systemDefaultZone(), null, null);
  }

  public EdgeOptions withSubmissionTimeout(Duration timeout) {
    return new EdgeOptions(timeout, clock, defaultCertificate, meters, backPressure);
  }

  public EdgeOptions withClock(Clock c) {
    return new EdgeOptions(submissionTimeout, c, defaultCertificate, meters, backPressure);
  }

  public EdgeOptions withDefaultCertificate(ReceiveConnector.Certificate certificate) {
    return new EdgeOptions(submissionTimeout, clock, certificate, meters, backPressure);
  }

  /** Records every connector's meters ({@code mailflow.edge.*}, {@link EdgeMeters}) in {@code registry}. */
  public EdgeOptions withMeters(MeterRegistry registry) {
    return new EdgeOptions(submissionTimeout, clock, defaultCertificate, registry, backPressure);
  }

  /** Refuses MAIL FROM at Medium and High as {@code pressure} says (Exchange's back pressure). */
  public EdgeOptions withBackPressure(BackPressure pressure) {
    return new EdgeOptions(submissionTimeout, clock, defaultCertificate, meters, pressure);
  }
}
