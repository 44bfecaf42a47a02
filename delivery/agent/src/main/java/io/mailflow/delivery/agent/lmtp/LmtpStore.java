package io.mailflow.delivery.agent.lmtp;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.delivery.agent.smtp.SendResult;
import io.mailflow.delivery.agent.smtp.SmtpClient;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.agent.store.DeliveredMarkers;
import io.mailflow.delivery.agent.store.MailboxCopy;
import io.mailflow.delivery.agent.store.MailboxStore;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LmtpStore - mailbox delivery to an external store (Dovecot, Cyrus) over LMTP (RFC 2033): one
 * transaction per copy and database, LHLO instead of EHLO, RCPT per recipient, DATA streamed from the
 * {@link MessageSource} (a claim-checked body by reference, piece by piece), and one reply per accepted
 * recipient after the final dot, so one copy can be delivered to some mailboxes, deferred for others
 * (452 over quota) and refused for others (550 unknown user).
 *
 * <p>It is the SMTP client in LMTP mode ({@link SmtpClientOptions#setLmtp}): the same connection, reply
 * parsing, pipelining, DATA encoder and connection reuse. No STARTTLS or AUTH: the store sits on a
 * trusted network (as Postfix's lmtp client by default). The store, not mailflow, adds Return-Path and
 * Delivered-To.
 *
 * <p>As a {@link MailboxStore} ({@link #at}), duplicates are absorbed by {@link DeliveredMarkers} on this
 * instance's disk: recipients marked for the copy's network message id are not sent again, and a
 * recipient is marked after the store's 250 for it. The external store is not asked (LMTP has no way to).
 */
public final class LmtpStore {

  private static final Logger log = LoggerFactory.getLogger(LmtpStore.class);

  private final Vertx vertx;
  private final SmtpClient client;

  private LmtpStore(Vertx vertx, SmtpClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /** A store client on {@code vertx}; {@code template} gives LHLO name and timeouts (LMTP is switched on here). */
  public static LmtpStore create(Vertx vertx, SmtpClientOptions template) {
    return new LmtpStore(vertx, SmtpClient.create(vertx, new SmtpClientOptions(template).setLmtp(true)));
  }

  /**
   * Delivers {@code content} from {@code sender} to {@code recipients} at {@code host:port}; one outcome
   * per recipient, in order. Never fails: an unreachable store or a broken session makes the recipients it
   * had not settled transient. No de-duplication: that is {@link #at}'s.
   */
  public Future<List<DeliveryOutcome>> deliver(String host, int port, String sender, List<String> recipients,
      MessageSource content) {
    return client.send(host, port, OutboundMessage.of(sender, recipients, content)).map(SendResult::outcomes);
  }

  /**
   * The store listening at {@code host:port}, its duplicates absorbed by {@link DeliveredMarkers} under
   * {@code markers} (a directory of this delivery instance).
   */
  public MailboxStore at(String host, int port, Path markers) {
    return new Endpoint(host, port, new DeliveredMarkers(vertx, markers));
  }

  public Future<Void> close() {
    return client.close();
  }

  /** One external store as a {@link MailboxStore}. */
  private final class Endpoint implements MailboxStore {
    private final String host;
    private final int port;
    private final DeliveredMarkers markers;
    /** Deliveries of one message to one database run one after another, so the markers see the earlier one. */
    private final Map<String, Future<?>> inProgress = new HashMap<>();

    Endpoint(String host, int port, DeliveredMarkers markers) {
      this.host = host;
      this.port = port;
      this.markers = markers;
    }

    @Override
    public Future<List<DeliveryOutcome>> deliver(MailboxCopy copy) {
      String key = copy.database() + "\n" + copy.networkMessageId();
      Promise<List<DeliveryOutcome>> mine = Promise.promise();
      Future<?> before;
      synchronized (inProgress) {
        before = inProgress.put(key, mine.future());
      }
      Future<Void> turn = before == null ? Future.succeededFuture() : before.transform(ar -> Future.succeededFuture());
      turn.compose(v -> deliverOnce(copy)).onComplete(ar -> {
        synchronized (inProgress) {
          inProgress.remove(key, mine.future());
        }
        mine.handle(ar);
      });
      return mine.future();
    }

    private Future<List<DeliveryOutcome>> deliverOnce(MailboxCopy copy) {
      return markers.delivered(copy.database(), copy.networkMessageId(), copy.recipients())
          .transform(ar -> {
            if (ar.failed()) { // without the markers a repeat cannot be told: keep the copy queued
              return Future.succeededFuture(copy.recipients().stream().<DeliveryOutcome>map(r ->
                  new DeliveryOutcome.Transient(r, SmtpReply.of(451, "4.3.0",
                      "Cannot read the delivered markers of the LMTP store at " + host + ":" + port + ": "
                          + ar.cause().getMessage()))).toList());
            }
            return sendTheRest(copy, ar.result());
          });
    }

    private Future<List<DeliveryOutcome>> sendTheRest(MailboxCopy copy, Map<String, String> earlier) {
      List<String> rest = copy.recipients().stream().filter(r -> !earlier.containsKey(r)).toList();
      Future<List<DeliveryOutcome>> sent = rest.isEmpty()
          ? Future.succeededFuture(List.of())
          : LmtpStore.this.deliver(host, port, copy.sender(), rest, copy.content());
      return sent.compose(outcomes -> {
        Map<String, String> accepted = new LinkedHashMap<>();
        for (DeliveryOutcome o : outcomes) {
          if (o instanceof DeliveryOutcome.Delivered) {
            accepted.put(o.recipient(), o.recipientStatus());
          }
        }
        Future<Void> marked = accepted.isEmpty() ? Future.succeededFuture()
            : markers.mark(copy.database(), copy.networkMessageId(), accepted).recover(e -> {
              // delivered all the same; only a repeat of this copy may now be delivered twice
              log.warn("delivery: LMTP store {}:{} took {} but the delivered markers were not written: {}", host, port,
                  copy.networkMessageId(), e.toString());
              return Future.succeededFuture();
            });
        return marked.map(v -> merge(copy.recipients(), earlier, outcomes));
      });
    }

    /** The copy's recipients in order: those delivered earlier absorbed, the others as the store answered now. */
    private static List<DeliveryOutcome> merge(List<String> recipients, Map<String, String> earlier,
        List<DeliveryOutcome> now) {
      List<DeliveryOutcome> all = new ArrayList<>(recipients.size());
      Iterator<DeliveryOutcome> next = now.iterator();
      for (String r : recipients) {
        all.add(earlier.containsKey(r)
            ? new DeliveryOutcome.Delivered(r, SmtpReply.of(250, "2.0.0",
                "Duplicate delivery absorbed; first delivered as " + earlier.get(r)))
            : next.next());
      }
      return all;
    }
  }
}
