package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.vertx.core.Future;

/**
 * MailboxAgent - delivers SmtpDeliveryToMailbox copies into the mailbox stores ({@link MailboxDeliverer}:
 * the built-in Maildir store, or LMTP for a database that names one); tracked as STOREDRIVER.
 */
final class MailboxAgent implements DeliveryAgent {

  private final MailboxDeliverer mailboxes;

  MailboxAgent(MailboxDeliverer mailboxes) {
    this.mailboxes = mailboxes;
  }

  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    return mailboxes.deliver(item, content)
        .map(outcomes -> Attempted.of(DeliveryTracking.STOREDRIVER, null, null, context, outcomes));
  }
}
