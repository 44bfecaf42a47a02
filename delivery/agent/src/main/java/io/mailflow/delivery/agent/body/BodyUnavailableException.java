package io.mailflow.delivery.agent.body;

/**
 * BodyUnavailableException - a claim-checked body could not be read. The message names the body id, the
 * mail.bodies.v1 partition and offset, and the network message id.
 *
 * <p>{@link #permanent()}: the chunk is gone (retention removed it, offset out of range) or is not what
 * the reference says (another body id, index, size or digest): reading again cannot help. Otherwise
 * Kafka did not answer in time: worth another try later.
 */
public final class BodyUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final boolean permanent;

  public BodyUnavailableException(String message, boolean permanent, Throwable cause) {
    super(message, cause);
    this.permanent = permanent;
  }

  public boolean permanent() {
    return permanent;
  }
}
