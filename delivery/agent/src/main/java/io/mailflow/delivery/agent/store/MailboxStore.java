package io.mailflow.delivery.agent.store;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.vertx.core.Future;
import java.util.List;

/**
 * MailboxStore - where the mailboxes of one mailbox database live: the built-in Maildir store
 * ({@code maildir.MaildirStore}) or an external store over LMTP ({@code lmtp.LmtpStore#at}). The store
 * driver ({@code MailboxDeliverer}) picks one per database.
 *
 * <p>The contract (checked for each store by {@code MailboxStoreContract}):
 * <ul>
 *   <li>one outcome per recipient of the copy, in order: a store decides each recipient on its own, so
 *       one copy can be delivered to one mailbox and refused or deferred for another;
 *   <li>de-duplication on (network message id, recipient): a copy delivered again (a redelivery after a
 *       crash, a replay) is absorbed — {@code 250 2.0.0 Duplicate delivery absorbed; first delivered as …}
 *       — and the user does not see a second message. A recipient that was not delivered is not marked:
 *       it is tried again. The Maildir store makes its marker durable (as pending) before the message is
 *       in the mailbox, so a crash at any step leaves it there once; the LMTP store marks after the
 *       server said yes, so a crash in between can deliver twice, never zero times;
 *   <li>a store that is down (a root that cannot be written, nothing listening) makes every recipient it
 *       had not settled transient: the copy stays queued and the store may be fixed;
 *   <li>the future fails only with the body's own error ({@code BodyUnavailableException}): a body that
 *       cannot be read is not the store's fault.
 * </ul>
 */
public interface MailboxStore {

  /** Delivers {@code copy} to its recipients; one outcome per recipient, in the copy's order. */
  Future<List<DeliveryOutcome>> deliver(MailboxCopy copy);
}
