package io.mailflow.delivery.core;

import io.mailflow.smtp.SmtpCommand;
import io.mailflow.smtp.SmtpReply;

/**
 * ReplyClassifier - decides a recipient's {@link DeliveryOutcome} from the reply that ended its
 * attempt: 2xx delivered, 4xx transient, 5xx permanent.
 *
 * <p>A 3xx reply where a final answer was due is a protocol error on the remote side; it is transient
 * because nothing says the message is refused. Connection failures arrive here as the 4xx replies
 * {@link ConnectionFailure#reply()} writes, so they are transient by construction.
 */
public final class ReplyClassifier {

  private ReplyClassifier() {}

  /** The outcome for {@code recipient} when {@code reply} was the last word on it. */
  public static DeliveryOutcome classify(String recipient, SmtpReply reply) {
    return classify(recipient, reply, null);
  }

  /**
   * The same, {@code reply} being the remote's answer to {@code command} (null: none in particular), which a
   * refusal keeps so its report can say "in reply to RCPT TO command".
   */
  public static DeliveryOutcome classify(String recipient, SmtpReply reply, SmtpCommand command) {
    if (reply.isPositive()) {
      return new DeliveryOutcome.Delivered(recipient, reply);
    }
    if (reply.isPermanentNegative()) {
      return new DeliveryOutcome.Permanent(recipient, reply, command);
    }
    return new DeliveryOutcome.Transient(recipient, reply, command);
  }

  /** The outcome for {@code recipient} when the connection failed before a final reply. */
  public static DeliveryOutcome classify(String recipient, ConnectionFailure failure) {
    return new DeliveryOutcome.Transient(recipient, failure.reply());
  }
}
