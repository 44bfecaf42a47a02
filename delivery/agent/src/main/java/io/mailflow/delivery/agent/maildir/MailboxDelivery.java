package io.mailflow.delivery.agent.maildir;

import io.mailflow.delivery.agent.body.MessageSource;
import java.util.Objects;

/**
 * MailboxDelivery - one message for one mailbox.
 *
 * @param database the mailbox database (a directory under the store root)
 * @param recipient the mailbox's primary SMTP address; its Maildir is named after it, lower-cased
 * @param networkMessageId the message's network message id: with the recipient, the de-duplication key
 * @param sender the envelope sender for Return-Path; empty for the null sender
 * @param message the RFC 5322 message as it arrived, headers and body (inline or read chunk by chunk)
 */
public record MailboxDelivery(String database, String recipient, String networkMessageId, String sender,
    MessageSource message) {

  /** A message held whole in memory. */
  public MailboxDelivery(String database, String recipient, String networkMessageId, String sender,
      byte[] message) {
    this(database, recipient, networkMessageId, sender, MessageSource.of(Objects.requireNonNull(message, "message")));
  }

  public MailboxDelivery {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(networkMessageId, "networkMessageId");
    Objects.requireNonNull(sender, "sender (use \"\" for the null sender)");
    Objects.requireNonNull(message, "message");
    if (networkMessageId.isBlank()) {
      throw new IllegalArgumentException("networkMessageId must not be blank (it is the de-duplication key)");
    }
    // These become header lines: a line break would let the envelope forge headers.
    noLineBreak("recipient", recipient);
    noLineBreak("sender", sender);
  }

  private static void noLineBreak(String what, String value) {
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " '" + value.replaceAll("[\\r\\n\\x00]", "?")
          + "' contains a line break or NUL");
    }
  }
}
