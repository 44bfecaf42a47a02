package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;

/** SessionFailedException - an SMTP session ended without the reply we waited for; carries why. */
final class SessionFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ConnectionFailure failure;

  SessionFailedException(ConnectionFailure failure) {
    super(failure.toString(), null, false, false);
    this.failure = failure;
  }

  ConnectionFailure failure() {
    return failure;
  }
}
