package io.mailflow.delivery.agent.body;

import io.mailflow.delivery.core.SmtpDataEncoder;

/**
 * MessageSource - the octets of one message copy as every delivery path reads them: a head held in
 * memory, then (for a claim-checked body) the chunks read from mail.bodies.v1 one at a time, so a
 * message of any size is written to a Maildir file or an SMTP connection in bounded memory.
 *
 * <p>An inline body is all head; a referenced body's head is its header section. Trace fields are
 * added by replacing the head ({@link #withHead}), never by copying the body. Each {@link #open()} is a
 * fresh reading from the first octet, so a failover to the next smart host reads the body again.
 */
public interface MessageSource {

  /** The leading octets held in memory: the whole message when {@link #inline()}, else the header section. */
  byte[] head();

  /** True when {@link #head()} is the whole message. */
  boolean inline();

  /** Octets of the whole message. */
  long size();

  /**
   * True when the message needs 8BITMIME. Inline: read from the bytes. Referenced: the head's bytes or the
   * body type the client declared (the chunks are not read before MAIL FROM).
   */
  boolean eightBit();

  /** The same message with {@code head} in place of the current head (e.g. a trace field on top). */
  MessageSource withHead(byte[] head);

  /**
   * A fresh reading from the first octet. Call it on the Vert.x context that will consume the pieces:
   * they are handed back there.
   */
  ContentStream open();

  /** A message held whole in memory. */
  static MessageSource of(byte[] message) {
    return new InlineMessage(message, SmtpDataEncoder.containsEightBit(message));
  }
}
