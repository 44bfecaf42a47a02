package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.ConnectionFailure.Kind;
import io.mailflow.delivery.core.EhloCapabilities;
import io.mailflow.delivery.core.SmtpReply;
import io.vertx.core.Future;

/**
 * SmtpSession - the client side of one SMTP connection, phase by phase: greeting, hello, (STARTTLS and
 * AUTH later), then one {@link MailTransaction} after another, RSET between them, and QUIT.
 *
 * <p>All methods run on the connection's event loop.
 */
final class SmtpSession {

  private final SmtpConnection connection;
  private final SmtpClientOptions options;
  private EhloCapabilities capabilities = EhloCapabilities.none();
  private int transactions;
  long idleTimer = -1;

  SmtpSession(SmtpConnection connection, SmtpClientOptions options) {
    this.connection = connection;
    this.options = options;
  }

  String endpoint() {
    return connection.endpoint();
  }

  EhloCapabilities capabilities() {
    return capabilities;
  }

  /** Transactions this connection has carried. */
  int transactions() {
    return transactions;
  }

  /** True while the connection can take another transaction. */
  boolean usable() {
    return connection.usable();
  }

  /**
   * Greeting and hello. Fails with {@link SessionFailedException} when the host refuses us (a 4xx/5xx
   * greeting, a refused EHLO and HELO) or the connection breaks: a failure of the host, worth trying
   * the next one.
   */
  Future<Void> open() {
    return greet().compose(v -> hello()).compose(v -> secure());
  }

  /** Runs one transaction for {@code message}. */
  MailTransaction transaction(OutboundMessage message) {
    transactions++;
    return new MailTransaction(connection, options, capabilities, message, transactions);
  }

  /** RSET after a transaction; true when the server answered 250, i.e. the connection is fit for the next one. */
  Future<Boolean> reset() {
    return connection.command("RSET", "RSET")
        .map(reply -> reply.isPositive() && connection.usable())
        .recover(e -> Future.succeededFuture(false));
  }

  /** Says QUIT (politely after a refusal; just a close after a drop or timeout); never fails. */
  Future<Void> quit() {
    return connection.quit();
  }

  private Future<Void> greet() {
    return connection.readReply("greeting").compose(greeting -> greeting.isPositive()
        ? Future.succeededFuture()
        : refused("greeting", greeting));
  }

  // EHLO first; a 5xx means "I do not speak ESMTP", so HELO. A 4xx (or a refused HELO) means this
  // host will not take mail from us now: a failure of the host, worth trying the next one.
  private Future<Void> hello() {
    String name = options.getHeloName();
    return connection.command("EHLO " + name, "EHLO").compose(ehlo -> {
      if (ehlo.isPositive()) {
        capabilities = EhloCapabilities.parse(ehlo);
        return Future.succeededFuture();
      }
      if (!ehlo.isPermanentNegative()) {
        return refused("EHLO", ehlo);
      }
      return connection.command("HELO " + name, "HELO").compose(helo -> helo.isPositive()
          ? Future.succeededFuture()
          : refused("HELO", helo));
    });
  }

  /** Where STARTTLS (then a second EHLO) and AUTH to a smart host will go (issue 5); nothing yet. */
  private Future<Void> secure() {
    return Future.succeededFuture();
  }

  private <T> Future<T> refused(String phase, SmtpReply reply) {
    return Future.failedFuture(new SessionFailedException(
        new ConnectionFailure(Kind.SERVICE_REFUSED, connection.endpoint(), phase, reply.toString())));
  }
}
