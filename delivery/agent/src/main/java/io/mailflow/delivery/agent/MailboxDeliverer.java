package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.lmtp.LmtpStore;
import io.mailflow.delivery.agent.maildir.MaildirStore;
import io.mailflow.delivery.agent.store.MailboxCopy;
import io.mailflow.delivery.agent.store.MailboxStore;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MailboxDeliverer - the store driver: picks the {@link MailboxStore} of each recipient's mailbox
 * database (the built-in Maildir store, or the external store of a database with an {@code lmtp}
 * endpoint) and hands each database its part of the copy.
 *
 * <p>The database is the recipient's mailboxDatabase, else the next hop's domain (for mailbox delivery
 * routing names the database there). The stores decide each recipient (see {@link MailboxStore}).
 */
final class MailboxDeliverer {

  /** Beside the Maildir databases, under the store root: the LMTP stores' delivered markers. */
  static final String LMTP_MARKERS = ".lmtp-delivered";

  private final MailboxStore builtIn;
  private final Map<String, MailboxStore> byDatabase = new HashMap<>();

  /** Every database in the built-in Maildir store. */
  MailboxDeliverer(MaildirStore store) {
    this.builtIn = store;
  }

  /**
   * Databases of {@code organization} with an {@code lmtp} endpoint go to it through {@code lmtp}, their
   * delivered markers under {@code <store root>/.lmtp-delivered}; the rest to {@code store}.
   */
  MailboxDeliverer(MaildirStore store, LmtpStore lmtp, Organization organization) {
    this.builtIn = store;
    Path markers = store.root().resolve(LMTP_MARKERS); // no database is named with a leading dot
    for (MailboxDatabase db : organization.databases()) {
      if (db.lmtp() != null) {
        byDatabase.put(db.name(), lmtp.at(db.lmtp().host(), db.lmtp().port(), markers));
      }
    }
  }

  /**
   * One outcome per recipient of {@code item}, in order; {@code content} is what each store is given.
   * Databases are delivered one after another, so a claim-checked body is read by one store at a time.
   * Fails with the {@link BodyUnavailableException} if the body cannot be read: that is the body's fault,
   * not the store's.
   */
  Future<List<DeliveryOutcome>> deliver(DeliveryItem item, MessageSource content) {
    Map<String, List<Integer>> byDb = new LinkedHashMap<>();
    List<ResolvedRecipient> all = item.getRecipients();
    for (int i = 0; i < all.size(); i++) {
      byDb.computeIfAbsent(database(item, all.get(i)), d -> new ArrayList<>()).add(i);
    }
    DeliveryOutcome[] outcomes = new DeliveryOutcome[all.size()];
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, List<Integer>> group : byDb.entrySet()) {
      MailboxCopy copy = new MailboxCopy(group.getKey(), item.getEnvelope().getNetworkMessageId(),
          item.getEnvelope().getSender(), group.getValue().stream().map(i -> all.get(i).getAddress()).toList(),
          content);
      MailboxStore store = byDatabase.getOrDefault(group.getKey(), builtIn);
      chain = chain.compose(v -> store.deliver(copy).map(results -> {
        for (int k = 0; k < results.size(); k++) {
          outcomes[group.getValue().get(k)] = results.get(k);
        }
        return (Void) null;
      }));
    }
    return chain.map(v -> List.of(outcomes));
  }

  private static String database(DeliveryItem item, ResolvedRecipient recipient) {
    return recipient.getMailboxDatabase() != null
        ? recipient.getMailboxDatabase()
        : item.getNextHop().getNextHopDomain();
  }
}
