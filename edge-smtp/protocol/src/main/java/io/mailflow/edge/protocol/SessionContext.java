package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** SessionContext - what a verb handler may read and do in its session. */
interface SessionContext {

  SmtpConfig config();

  SessionHooks hooks();

  SessionInfo info();

  /** EHLO/HELO succeeded: remember the name, start over without a transaction. */
  void greeted(String name, boolean esmtp);

  /** The transaction's sender, or null outside a transaction. */
  MailFrom mailFrom();

  List<RcptTo> recipients();

  /** Whether BDAT chunks were taken in this transaction (DATA is then out of sequence). */
  boolean chunking();

  void beginTransaction(MailFrom from);

  void addRecipient(RcptTo rcpt);

  void resetTransaction();

  void reply(SmtpReply reply);

  /** Replies and counts a protocol error; too many end the session. */
  void protocolError(SmtpReply reply);

  /** Runs a policy hook; on denial sends its reply. Returns whether the command may go on. */
  boolean allowed(Supplier<HookResult> hook);

  /** Sends 354 and reads DATA content. */
  void beginData();

  /** Reads a BDAT chunk of {@code size} octets into the transaction's message. */
  void beginChunk(long size, boolean last);

  /** Reads and drops a BDAT chunk of {@code size} octets, then sends {@code reply}. */
  void discardChunk(long size, SmtpReply reply, boolean protocolError);

  /** Sends 220, drops all input received so far and asks the adapter for the handshake. */
  void startTls();

  /** Sends a 334 challenge; the client's next line goes to {@code response} (never to the protocol log). */
  void challenge(SmtpReply challenge, Consumer<String> response);

  /** Checks decoded credentials through the hooks, then answers 235, 535 (tarpit and drop at the limit) or 454. */
  void authenticate(String mechanism, String user, char[] password);
}
