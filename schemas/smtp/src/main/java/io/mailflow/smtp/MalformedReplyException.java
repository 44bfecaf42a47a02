package io.mailflow.smtp;

/** MalformedReplyException - a remote server sent something that is not an RFC 5321 reply line. */
public final class MalformedReplyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MalformedReplyException(String message) {
    super(message);
  }
}
