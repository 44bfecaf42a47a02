package io.mailflow.edge.protocol;

/**
 * SessionOutput - what the engine asks its transport adapter to do: send replies, close, start
 * TLS, hold input; and what it tells it for the protocol log.
 */
public interface SessionOutput {

  /** Write the reply to the client. */
  void send(Reply reply);

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

  /** A command line the client sent, for the protocol log (message content is not reported). */
  default void commandReceived(String line) {}

  /**
   * The engine waits for an asynchronous answer (true) or has it (false). While held, the adapter
   * should stop reading from the socket so held input stays small; input fed meanwhile is kept.
   */
  default void inputHeld(boolean held) {}
}
