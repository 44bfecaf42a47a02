package io.mailflow.delivery.agent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * ReceivedHeader - the trace header this delivery hop puts on top of each copy it delivers (RFC 5321
 * 4.4): {@code Received: from <edge server> by <this server> with mailflow (mail.delivery.v1) id
 * <internal message id>; <date>}.
 *
 * <p>"from" names the server whose edge accepted the message (the envelope's receivingServer): the hop
 * before ours inside mailflow is a Kafka topic, which the comment after "with" names. The date is
 * RFC 5322 with a numeric zone, always UTC.
 */
final class ReceivedHeader {

  private static final DateTimeFormatter RFC_5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private ReceivedHeader() {}

  /** The header line, with its CRLF. */
  static String line(String receivingServer, String thisServer, String internalMessageId, Instant at) {
    return "Received: from " + token(receivingServer) + " by " + token(thisServer)
        + " with mailflow (mail.delivery.v1) id " + token(internalMessageId) + "; " + date(at)
        + "\r\n";
  }

  /** What the last {@link #date} wrote: every copy of a busy second has the same date. */
  private record LastDate(long epochSecond, String text) {}

  private static volatile LastDate lastDate = new LastDate(Long.MIN_VALUE, "");

  /**
   * {@code at} as the RFC 5322 date of the header (UTC), formatted once a second (the formatter was about 1% of a
   * busy node's CPU, on the delivery event loop): the text depends only on the second.
   */
  static String date(Instant at) {
    LastDate last = lastDate;
    if (last.epochSecond() == at.getEpochSecond()) {
      return last.text();
    }
    String text = RFC_5322_DATE.format(at);
    lastDate = new LastDate(at.getEpochSecond(), text);
    return text;
  }

  /** {@code message} with the header prepended. */
  static byte[] prepend(byte[] message, String receivingServer, String thisServer, String internalMessageId,
      Instant at) {
    return prepend(ByteBuffer.wrap(message), receivingServer, thisServer, internalMessageId, at);
  }

  /**
   * The remaining octets of {@code message} (not consumed: read through a duplicate) with the header prepended,
   * in one new array: the only copy of an inline body delivery makes.
   */
  static byte[] prepend(ByteBuffer message, String receivingServer, String thisServer, String internalMessageId,
      Instant at) {
    byte[] header = line(receivingServer, thisServer, internalMessageId, at).getBytes(StandardCharsets.UTF_8);
    ByteBuffer data = message.duplicate();
    byte[] out = new byte[header.length + data.remaining()];
    System.arraycopy(header, 0, out, 0, header.length);
    data.get(out, header.length, data.remaining());
    return out;
  }

  // Values come from our own records, but a header line must never break: no whitespace or controls.
  private static String token(String value) {
    if (value == null || value.isBlank()) {
      return "unknown";
    }
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      sb.append(c <= ' ' || c == 127 || c == ';' || c == '(' || c == ')' ? '_' : c);
    }
    return sb.toString();
  }
}
