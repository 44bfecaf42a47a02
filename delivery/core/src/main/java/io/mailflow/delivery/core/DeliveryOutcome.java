package io.mailflow.delivery.core;

import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;
import java.util.List;
import java.util.Objects;

/**
 * DeliveryOutcome - what became of one recipient in one delivery attempt, with the reply that decided
 * it (the remote server's, or one we wrote for a failure that produced none, such as a refused
 * connection).
 *
 * <p>Delivery agents report outcomes; they never write bounces themselves (Postfix's rule). The queue
 * owner turns {@link Transient} into a retry and {@link Permanent} into a DSN.
 */
public sealed interface DeliveryOutcome {

  /** The recipient address as it was given in RCPT TO (or to the mailbox store). */
  String recipient();

  /** The reply that decided this outcome. */
  SmtpReply reply();

  /** The command the reply answered, when a remote refused it (reports say "in reply to ... command"); else null. */
  default SmtpCommand command() {
    return null;
  }

  /** The reply as one line, for the tracking log's recipient-status field. */
  default String recipientStatus() {
    return reply().toString();
  }

  /**
   * Every one of {@code recipients} with the outcome {@code reply} means ({@link ReplyClassifier}), in
   * order: for a reply that decides a whole copy at once (queue in Retry or suspended, a body not readable
   * now, a configuration error, an expired Unreachable copy).
   */
  static List<DeliveryOutcome> sameFor(List<String> recipients, SmtpReply reply) {
    Objects.requireNonNull(reply, "reply");
    return recipients.stream().map(r -> ReplyClassifier.classify(r, reply)).toList();
  }

  /** The recipient got the message: the remote answered 2xx, or the mailbox file is written. */
  record Delivered(String recipient, SmtpReply reply) implements DeliveryOutcome {
    public Delivered {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** Not this time; try again later (4xx, or no usable answer at all). */
  record Transient(String recipient, SmtpReply reply, SmtpCommand command) implements DeliveryOutcome {
    public Transient {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
    }

    /** Without a command: a reply we wrote, or one that answered no command in particular. */
    public Transient(String recipient, SmtpReply reply) {
      this(recipient, reply, null);
    }
  }

  /** Never: the remote refused with 5xx; the sender gets a non-delivery report. */
  record Permanent(String recipient, SmtpReply reply, SmtpCommand command) implements DeliveryOutcome {
    public Permanent {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
    }

    /** Without a command: a reply we wrote, or one that answered no command in particular. */
    public Permanent(String recipient, SmtpReply reply) {
      this(recipient, reply, null);
    }
  }
}
