package io.mailflow.edge.server;

import io.mailflow.smtp.SmtpReply;

/** EdgeReplies - the replies the edge's policy and queueing give, in Exchange 2019's words. */
final class EdgeReplies {
  private EdgeReplies() {}

  static final SmtpReply RELAY_DENIED =
      SmtpReply.of(550, "5.7.54", "SMTP; Unable to relay recipient in non-accepted domain");
  static final SmtpReply RECIPIENT_NOT_FOUND =
      SmtpReply.of(550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
  static final SmtpReply NOT_AUTHENTICATED =
      SmtpReply.of(530, "5.7.57", "SMTP; Client was not authenticated to send anonymous mail during MAIL FROM");
  static final SmtpReply SEND_AS_DENIED =
      SmtpReply.of(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender");
  /** Authenticated, but the connector gives this user no ms-Exch-SMTP-Submit. */
  static final SmtpReply NO_SUBMIT_PERMISSION =
      SmtpReply.of(550, "5.7.1", "Client does not have permissions to submit to this server");
  /** Back pressure at MAIL FROM, or Kafka cannot take the message now (Exchange's back-pressure reply). */
  static final SmtpReply INSUFFICIENT_RESOURCES = SmtpReply.of(452, "4.3.1", "Insufficient system resources");
  /**
   * The write to Kafka failed for another reason. 451 (local error in processing, RFC 5321) rather
   * than 452: the queue is not known to be full, the attempt failed; either way the client keeps the
   * message and retries. The reason goes to the protocol log, not to the client.
   */
  static final SmtpReply QUEUE_WRITE_FAILED =
      SmtpReply.of(451, "4.3.0", "Message not queued because of a temporary server error, please try again later");

  /** No receive connector on the binding serves the client's address: greet with this and close. */
  static final SmtpReply NO_CONNECTOR = SmtpReply.of(421, "4.3.2", "Service not available, closing transmission channel");
  /** maxInboundConnection or maxInboundConnectionPerSource reached (Exchange's words). */
  static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.3.2",
      "The maximum number of concurrent server connections has exceeded a limit, closing transmission channel");
  /** messageRateLimit reached for this source (Exchange's words). */
  static final SmtpReply RATE_LIMITED = SmtpReply.of(421, "4.4.2",
      "Message submission rate for this client has exceeded the configured limit");

  /** Exchange's 250 after DATA: the message is on the Submission queue. */
  static SmtpReply queued(String messageId, long internalId, String hostname) {
    return SmtpReply.of(250, "2.6.0", messageId + " [InternalId=" + internalId + ", Hostname=" + hostname
        + "] Queued mail for delivery");
  }
}
