package io.mailflow.delivery.agent.lmtp;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.delivery.agent.smtp.SendResult;
import io.mailflow.delivery.agent.smtp.SmtpClient;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

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
 * Delivered-To, and mailflow's duplicate absorption (marker files) is the built-in store's only.
 */
public final class LmtpStore {

  private final SmtpClient client;

  private LmtpStore(SmtpClient client) {
    this.client = client;
  }

  /** A store client on {@code vertx}; {@code template} gives LHLO name and timeouts (LMTP is switched on here). */
  public static LmtpStore create(Vertx vertx, SmtpClientOptions template) {
    return new LmtpStore(SmtpClient.create(vertx, new SmtpClientOptions(template).setLmtp(true)));
  }

  /**
   * Delivers {@code content} from {@code sender} to {@code recipients} at {@code host:port}; one outcome
   * per recipient, in order. Never fails: an unreachable store or a broken session makes the recipients it
   * had not settled transient.
   */
  public Future<List<DeliveryOutcome>> deliver(String host, int port, String sender, List<String> recipients,
      MessageSource content) {
    return client.send(host, port, OutboundMessage.of(sender, recipients, content)).map(SendResult::outcomes);
  }

  public Future<Void> close() {
    return client.close();
  }
}
