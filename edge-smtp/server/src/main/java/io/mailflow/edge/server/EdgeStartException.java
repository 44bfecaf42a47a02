package io.mailflow.edge.server;

/** EdgeStartException - the edge could not start; the message is one line saying which connector and why. */
public final class EdgeStartException extends RuntimeException {
  public EdgeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
