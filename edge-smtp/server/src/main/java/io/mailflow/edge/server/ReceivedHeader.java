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
        + ";\r\n " + RFC5322_DATE.format(when) + "\r\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static String protocol(SessionInfo session) {
    if (!session.esmtp()) {
      return "SMTP";
    }
    return "ESMTP" + (session.tls() ? "S" : "") + (session.authenticatedAs() != null ? "A" : "");
  }
}
