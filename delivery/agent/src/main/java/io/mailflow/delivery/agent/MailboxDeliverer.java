package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.lmtp.LmtpStore;
import io.mailflow.delivery.agent.maildir.MailboxDelivery;
import io.mailflow.delivery.agent.maildir.MaildirStore;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MailboxDeliverer - the store driver: puts one copy per recipient into its mailbox's Maildir, or hands
 * the recipients of a database with an {@code lmtp} endpoint to that external store ({@link LmtpStore}),
 * and says how each went.
 *
 * <p>The database is the recipient's mailboxDatabase, else the next hop's domain (for mailbox delivery
 * routing names the database there). A store failure (disk full, permissions, an LMTP store that does not
 * answer) is transient: the copy stays queued and the store may be fixed. An LMTP store's own replies
 * decide its recipients (delivered, 4xx deferred, 5xx failed).
 */
final class MailboxDeliverer {

  private final MaildirStore store;
  private final LmtpStore lmtp;
  private final Map<String, MailboxDatabase.LmtpEndpoint> lmtpDatabases = new java.util.HashMap<>();

  /** Every database in the built-in Maildir store. */
  MailboxDeliverer(MaildirStore store) {
    this.store = store;
    this.lmtp = null;
  }

  /** Databases of {@code organization} with an {@code lmtp} endpoint go to it through {@code lmtp}; the rest to {@code store}. */
  MailboxDeliverer(MaildirStore store, LmtpStore lmtp, Organization organization) {
    this.store = store;
    this.lmtp = lmtp;
    for (MailboxDatabase db : organization.databases()) {
      if (db.lmtp() != null) {
        lmtpDatabases.put(db.name(), db.lmtp());
      }
    }
  }

  /**
   * One outcome per recipient of {@code item}, in order; {@code content} is what goes into each file. An
   * inline message goes to all mailboxes at once; a claim-checked one to one mailbox after another, each
   * reading the body again, so a copy has at most a couple of chunks in memory however many mailboxes it
   * has. Fails with the {@link BodyUnavailableException} if the body cannot be read: that is the body's
   * fault, not the store's.
   */
  Future<List<DeliveryOutcome>> deliver(DeliveryItem item, MessageSource content) {
    if (lmtpDatabases.isEmpty()) {
      return deliverToMaildir(item, item.getRecipients(), content);
    }
    // recipients by store: each LMTP database one transaction; the Maildir ones as before
    Map<String, List<Integer>> byLmtpDatabase = new LinkedHashMap<>();
    List<Integer> maildir = new ArrayList<>();
    List<ResolvedRecipient> all = item.getRecipients();
    for (int i = 0; i < all.size(); i++) {
      String database = database(item, all.get(i));
      if (lmtpDatabases.containsKey(database)) {
        byLmtpDatabase.computeIfAbsent(database, d -> new ArrayList<>()).add(i);
      } else {
        maildir.add(i);
      }
    }
    DeliveryOutcome[] outcomes = new DeliveryOutcome[all.size()];
    // one store after another, so a claim-checked body is read by one delivery at a time
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, List<Integer>> group : byLmtpDatabase.entrySet()) {
      MailboxDatabase.LmtpEndpoint at = lmtpDatabases.get(group.getKey());
      List<String> addresses = group.getValue().stream().map(i -> all.get(i).getAddress()).toList();
      chain = chain.compose(v -> lmtp.deliver(at.host(), at.port(), item.getEnvelope().getSender(), addresses, content)
          .map(results -> {
            for (int k = 0; k < results.size(); k++) {
              outcomes[group.getValue().get(k)] = results.get(k);
            }
            return (Void) null;
          }));
    }
    if (!maildir.isEmpty()) {
      List<ResolvedRecipient> local = maildir.stream().map(all::get).toList();
      chain = chain.compose(v -> deliverToMaildir(item, local, content).map(results -> {
        for (int k = 0; k < results.size(); k++) {
          outcomes[maildir.get(k)] = results.get(k);
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

  private Future<List<DeliveryOutcome>> deliverToMaildir(DeliveryItem item, List<ResolvedRecipient> recipients,
      MessageSource content) {
    List<Future<DeliveryOutcome>> each = new ArrayList<>();
    Future<?> previous = Future.succeededFuture();
    for (ResolvedRecipient recipient : recipients) {
      Future<DeliveryOutcome> outcome = content.inline()
          ? deliverOne(item, recipient, content)
          : previous.transform(ar -> ar.failed() ? Future.failedFuture(ar.cause()) : deliverOne(item, recipient, content));
      each.add(outcome);
      previous = outcome;
    }
    return Future.join(each).transform(joined -> {
      List<DeliveryOutcome> outcomes = new ArrayList<>(each.size());
      for (Future<DeliveryOutcome> f : each) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
        outcomes.add(f.result());
      }
      return Future.succeededFuture(outcomes);
    });
  }

  private Future<DeliveryOutcome> deliverOne(DeliveryItem item, ResolvedRecipient recipient, MessageSource content) {
    String database = database(item, recipient);
    String address = recipient.getAddress();
    Future<DeliveryOutcome> outcome;
    try {
      MailboxDelivery delivery = new MailboxDelivery(database, address,
          item.getEnvelope().getNetworkMessageId(), item.getEnvelope().getSender(), content);
      outcome = store.deliver(delivery).map(result -> delivered(address, result));
    } catch (IllegalArgumentException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(e -> e instanceof BodyUnavailableException
        ? Future.failedFuture(e)
        : Future.succeededFuture(storeFailure(address, database, e)));
  }

  private static DeliveryOutcome delivered(String address, MaildirStore.Result result) {
    if (result instanceof MaildirStore.Result.Duplicate dup) {
      return new DeliveryOutcome.Delivered(address, SmtpReply.of(250, "2.0.0",
          "Duplicate delivery absorbed; first delivered as " + dup.firstDeliveredAs()));
    }
    return new DeliveryOutcome.Delivered(address, SmtpReply.of(250, "2.0.0",
        "Delivered to mailbox as " + result.path().getFileName()));
  }

  private static DeliveryOutcome storeFailure(String address, String database, Throwable e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof IllegalArgumentException) {
      return new DeliveryOutcome.Transient(address, SmtpReply.of(451, "4.3.5",
          "Mailbox store cannot take this recipient in database " + database + ": " + detail));
    }
    if (detail.contains("No space left")) {
      return new DeliveryOutcome.Transient(address, SmtpReply.of(452, "4.3.1",
          "Insufficient system storage in the mailbox store: " + detail));
    }
    return new DeliveryOutcome.Transient(address, SmtpReply.of(451, "4.3.0", "Mailbox store error: " + detail));
  }
}
