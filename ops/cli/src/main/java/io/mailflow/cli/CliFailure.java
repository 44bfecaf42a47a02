package io.mailflow.cli;

/** CliFailure - a failure the user can act on; printed as one line, without a stack trace. */
final class CliFailure extends RuntimeException {
  CliFailure(String message) {
    super(message);
  }

  CliFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
