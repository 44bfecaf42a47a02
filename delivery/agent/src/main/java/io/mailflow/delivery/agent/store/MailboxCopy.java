package io.mailflow.delivery.agent.store;

import io.mailflow.delivery.agent.body.MessageSource;
import java.util.List;
import java.util.Objects;

/**
 * MailboxCopy - one copy of a message for the recipients of one mailbox database.
 *
 * @param database the mailbox database the recipients' mailboxes are in
 * @param networkMessageId with each recipient, the de-duplication key
 * @param sender the envelope sender; empty for the null sender
 * @param recipients the mailboxes' primary SMTP addresses, in the order outcomes come back
 * @param content the RFC 5322 message (inline, or read chunk by chunk as often as the store needs)
 */
public record MailboxCopy(String database, String networkMessageId, String sender, List<String> recipients,
    MessageSource content) {

  public MailboxCopy {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(networkMessageId, "networkMessageId");
    Objects.requireNonNull(sender, "sender (use \"\" for the null sender)");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(content, "content");
  }
}
