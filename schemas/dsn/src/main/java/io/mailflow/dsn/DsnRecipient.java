package io.mailflow.dsn;

import io.mailflow.smtp.EnhancedStatusCode;
import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import java.util.Objects;

/**
 * DsnRecipient - what a DSN says about one recipient: the per-recipient fields of RFC 3464 2.3.
 *
 * @param finalRecipient the address delivery was attempted to (Final-Recipient)
 * @param orcpt the RFC 3461 ORCPT parameter as received, {@code addr-type;xtext}, or null (then no
 *     Original-Recipient field)
 * @param action failed, delayed or delivered
 * @param reply the reply that decided the outcome: gives Status and Diagnostic-Code
 * @param remoteMta the host that gave the reply, or null when none did (mailbox store, expiry without a
 *     connection): then no Remote-MTA field
 * @param command the command {@code reply} answered when a remote refused it, or null: the human-readable
 *     part then says "(in reply to RCPT TO command)" after the remote's words
 */
public record DsnRecipient(String finalRecipient, String orcpt, DsnAction action, SmtpReply reply,
    String remoteMta, SmtpCommand command) {

  /** A recipient whose reply answered no command in particular (or one of our own). */
  public DsnRecipient(String finalRecipient, String orcpt, DsnAction action, SmtpReply reply, String remoteMta) {
    this(finalRecipient, orcpt, action, reply, remoteMta, null);
  }

  public DsnRecipient {
    Objects.requireNonNull(finalRecipient, "finalRecipient");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(reply, "reply");
    if (finalRecipient.isBlank()) {
      throw new IllegalArgumentException("a DSN recipient needs a final recipient address");
    }
  }

  /**
   * The RFC 3463 status: the reply's enhanced status; else one leading the text (Exchange's
   * {@code 550 4.4.7 QUEUE.Expired}, where the status keeps the transient class); else the reply class
   * with {@code .0.0}.
   */
  public String status() {
    if (!reply.enhancedStatus().isEmpty()) {
      return reply.enhancedStatus();
    }
    String leading = EnhancedStatusCode.leading(reply.text());
    if (!leading.isEmpty()) {
      return leading;
    }
    return (reply.code() / 100) + ".0.0";
  }
}
