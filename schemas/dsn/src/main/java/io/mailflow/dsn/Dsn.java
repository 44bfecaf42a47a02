package io.mailflow.dsn;

/**
 * Dsn - a delivery status notification ready to submit: it is sent from the null sender ({@code <>})
 * to the original sender, and its content is a complete RFC 5322 message with CRLF line ends.
 *
 * @param recipient the envelope recipient: the original message's envelope sender
 * @param messageId the Message-ID header, with angle brackets
 * @param subject the Subject header value, as written (encoded words if the subject is not ASCII)
 * @param content the whole message
 */
public record Dsn(String recipient, String messageId, String subject, byte[] content) {

  /** A DSN's envelope sender is always null: nothing may ever bounce back about it. */
  public String envelopeSender() {
    return "";
  }
}
