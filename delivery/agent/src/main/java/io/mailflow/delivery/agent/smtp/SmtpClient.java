package io.mailflow.delivery.agent.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * SmtpClient - relays raw RFC 5322 messages to another SMTP server and reports the remote's answer
 * for each recipient.
 *
 * <p>Our own client on Vert.x NetClient because vertx-mail-client builds messages rather than relaying
 * them byte for byte, and reports one result per message rather than per recipient. Each
 * {@link #send} is one session: connect, greeting, EHLO (HELO if EHLO is refused with 5xx), MAIL FROM
 * with SIZE= and BODY=8BITMIME when offered and needed, RCPT TO per recipient (pipelined when the server
 * offers PIPELINING), DATA with the message dot-stuffed and its line ends made CRLF, QUIT. Nothing
 * blocks the event loop.
 *
 * <p>Does not: STARTTLS and AUTH (issue 5; the session has a place for them after EHLO), connection
 * reuse, MX lookup (the caller picks the host).
 */
public interface SmtpClient {

  /** A client whose connections live on {@code vertx}'s event loops. */
  static SmtpClient create(Vertx vertx, SmtpClientOptions options) {
    return new VertxSmtpClient(vertx, new SmtpClientOptions(options));
  }

  /**
   * Runs one session with {@code host:port} for {@code message}.
   *
   * <p>The future always succeeds: a refused connection, a drop, a timeout or a garbled reply become
   * transient outcomes whose reply says what happened where (see {@link SendResult#failure()}). It
   * completes as soon as the transaction's result is known; QUIT and the close follow on their own.
   */
  Future<SendResult> send(String host, int port, OutboundMessage message);

  /** Closes the client and any connection still open. */
  Future<Void> close();
}
