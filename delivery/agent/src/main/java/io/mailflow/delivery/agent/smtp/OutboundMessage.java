package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.agent.body.MessageSource;
import java.util.List;
import java.util.Objects;

/**
 * OutboundMessage - one mail transaction to relay: the envelope sender, the recipients and the raw
 * RFC 5322 message exactly as it will be sent (the client only normalises line ends and dot-stuffs).
 *
 * @param sender reverse path without brackets; empty for the null sender {@code <>}
 * @param recipients forward paths without brackets, at least one
 * @param content the whole message, headers and body: inline, or a claim-checked body streamed chunk by chunk
 * @param eightBit true when the message needs 8BITMIME (any byte above 127)
 * @param dsn the RFC 3461 parameters to pass on when the server offers DSN, or null
 */
public record OutboundMessage(String sender, List<String> recipients, MessageSource content, boolean eightBit,
    DsnRequest dsn) {

  public OutboundMessage(String sender, List<String> recipients, MessageSource content, boolean eightBit) {
    this(sender, recipients, content, eightBit, null);
  }

  public OutboundMessage {
    Objects.requireNonNull(sender, "sender (use \"\" for the null sender)");
    Objects.requireNonNull(content, "content");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("an outbound message needs at least one recipient");
    }
    checkPath("sender", sender);
    for (int i = 0; i < recipients.size(); i++) {
      String recipient = recipients.get(i);
      if (recipient.isEmpty()) {
        throw new IllegalArgumentException("recipient " + i + " is empty");
      }
      checkPath("recipient " + i, recipient);
    }
  }

  /** A message whose 8-bitness is read from its bytes. */
  public static OutboundMessage of(String sender, List<String> recipients, byte[] content) {
    return of(sender, recipients, MessageSource.of(Objects.requireNonNull(content, "content")));
  }

  /** A message whose 8-bitness is what {@code content} says ({@link MessageSource#eightBit()}). */
  public static OutboundMessage of(String sender, List<String> recipients, MessageSource content) {
    return new OutboundMessage(sender, recipients, content, content.eightBit());
  }

  /** The same message with RFC 3461 parameters to pass on to a server that offers DSN. */
  public OutboundMessage withDsn(DsnRequest request) {
    return new OutboundMessage(sender, recipients, content, eightBit, request);
  }

  /** Size in octets as announced with SIZE= (RFC 1870: the message as it will be sent). */
  public long size() {
    return content.size();
  }

  // An address goes into MAIL FROM:<...> / RCPT TO:<...> verbatim: a CR or LF in it would let the
  // message's origin inject SMTP commands into our session.
  private static void checkPath(String what, String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c < ' ' || c == 127 || c == '<' || c == '>') {
        throw new IllegalArgumentException(what + " '" + address.replaceAll("[\\p{Cntrl}]", "?")
            + "' contains a control character or angle bracket at index " + i);
      }
    }
  }
}
