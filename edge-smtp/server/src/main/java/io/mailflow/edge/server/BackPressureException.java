package io.mailflow.edge.server;

/** BackPressureException - the Submission queue cannot take a message now; the client should retry later. */
public final class BackPressureException extends RuntimeException {
  public BackPressureException(String message, Throwable cause) {
    super(message, cause);
  }
}
