package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.time.Duration;

/**
 * SessionOutput - what the engine asks its transport adapter to do: send replies, close, start
 * TLS, hold input; and what it tells it for the protocol log.
 */
public interface SessionOutput {

  /** Write the reply to the client. */
  void send(SmtpReply reply);

  /** End the connection once everything sent so far is written. No call follows. */
  void close();

  /**
   * Start the TLS handshake (after the 220 reply to STARTTLS has been sent) and call
   * {@link SmtpSession#tlsStarted()} once it succeeded. Input received before the handshake has
   * already been discarded by the engine.
   */
  default void startTls() {
    throw new UnsupportedOperationException("this adapter offers no TLS");
  }

  /**
   * Send {@code ready} (the 220 to STARTTLS) and start the TLS handshake right after it is written,
   * then call {@link SmtpSession#tlsStarted()}. Adapters whose TLS layer must be in place before the
   * client can answer the 220 (the client's handshake follows it at once) override this; the default
   * sends, then calls {@link #startTls()}.
   */
  default void startTls(SmtpReply ready) {
    send(ready);
    startTls();
  }

  /** A command line the client sent, for the protocol log (message content is not reported). */
  default void commandReceived(String line) {}

  /**
   * The engine waits for an asynchronous answer (true) or has it (false). While held, the adapter
   * should stop reading from the socket so held input stays small; input fed meanwhile is kept.
   */
  default void inputHeld(boolean held) {}

  /**
   * Run {@code task} on the session's thread after {@code delay} (the tarpit before a session is
   * dropped for too many failed logons). Adapters without timers may run it at once.
   */
  default void tarpit(Duration delay, Runnable task) {
    task.run();
  }
}
