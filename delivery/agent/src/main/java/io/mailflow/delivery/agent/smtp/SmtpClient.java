package io.mailflow.delivery.agent.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * SmtpClient - relays raw RFC 5322 messages to another SMTP server and reports the remote's answer
 * for each recipient.
 *
 * <p>Our own client on Vert.x NetClient because vertx-mail-client builds messages rather than relaying
 * them byte for byte, and reports one result per message rather than per recipient. Each
 * {@link #send} is one mail transaction: on a kept connection to that host:port if there is one, else
 * on a new one (connect, greeting, EHLO, HELO if EHLO is refused with 5xx); MAIL FROM with SIZE= and
 * BODY=8BITMIME when offered and needed, RCPT TO per recipient (pipelined when the server offers
 * PIPELINING), DATA with the message dot-stuffed and its line ends made CRLF; then RSET and keep the
 * connection, or QUIT (see {@link SmtpClientOptions} for the limits). Nothing blocks the event loop.
 *
 * <p>After EHLO: STARTTLS and a second EHLO as {@link SmtpClientOptions#getTls()} says ({@link TlsPolicy}),
 * then AUTH as {@link SmtpClientOptions#getAuth()} says ({@link SmartHostAuth}); the message's RFC 3461
 * parameters ({@link DsnRequest}) go with MAIL FROM and RCPT TO when the server offers DSN. In LMTP mode
 * ({@link SmtpClientOptions#setLmtp}) it says LHLO, without STARTTLS or AUTH, and reads one reply per
 * recipient after the dot.
 *
 * <p>Does not: MX lookup (the caller picks the host).
 */
public interface SmtpClient {

  /** A client whose connections live on {@code vertx}'s event loops. */
  static SmtpClient create(Vertx vertx, SmtpClientOptions options) {
    return new VertxSmtpClient(vertx, new SmtpClientOptions(options));
  }

  /**
   * Sends {@code message} to {@code host:port}, on a kept connection or a new one.
   *
   * <p>The future always succeeds: a refused connection, a drop, a timeout or a garbled reply become
   * transient outcomes whose reply says what happened where (see {@link SendResult#failure()}). It
   * completes as soon as the transaction's result is known; RSET or QUIT follow on their own.
   */
  Future<SendResult> send(String host, int port, OutboundMessage message);

  /** Connections open now (in use, idle, or being opened), to every destination; any thread may ask. */
  int openConnections();

  /** Closes the client and any connection still open. */
  Future<Void> close();
}
