package io.mailflow.edge.server;

import io.mailflow.edge.protocol.SessionInfo;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * ReceivedHeader - the trace field the edge puts on top of every message (RFC 5321 4.4):
 * {@code Received: from <helo> (<ip> [<ip>]) by <fqdn> (<server ip>) with ESMTP id <internal id>; <date>}.
 * The protocol keyword follows RFC 3848 (SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA).
 */
final class ReceivedHeader {
  private ReceivedHeader() {}

  static final DateTimeFormatter RFC5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  /** The header, folded, ending in CRLF. The HELO name was checked by the engine (no spaces, CR or LF). */
  static byte[] build(SessionInfo session, String fqdn, long internalId, ZonedDateTime when) {
    String client = session.clientIp();
    String text = "Received: from " + session.heloName() + " (" + client + " [" + client + "])\r\n"
        + " by " + fqdn + " (" + session.serverIp() + ") with " + protocol(session) + " id " + internalId
        + ";\r\n " + date(when) + "\r\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** What the last {@link #date} wrote: every message of a busy second has the same date. */
  private record LastDate(long epochSecond, java.time.ZoneOffset offset, String text) {}

  private static volatile LastDate lastDate = new LastDate(Long.MIN_VALUE, java.time.ZoneOffset.UTC, "");

  /**
   * {@code when} as {@link #RFC5322_DATE} writes it, formatted once a second (the formatter was about 1% of a busy
   * node's CPU, on the event loops): the text depends only on the second and the offset.
   */
  static String date(ZonedDateTime when) {
    LastDate last = lastDate;
    long second = when.toEpochSecond();
    if (last.epochSecond() == second && last.offset().equals(when.getOffset())) {
      return last.text();
    }
    String text = RFC5322_DATE.format(when);
    lastDate = new LastDate(second, when.getOffset(), text);
    return text;
  }

  static String protocol(SessionInfo session) {
    if (!session.esmtp()) {
      return "SMTP";
    }
    return "ESMTP" + (session.tls() ? "S" : "") + (session.authenticatedAs() != null ? "A" : "");
  }
}
