package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.edge.protocol.SessionInfo;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {

  @Test
  void namesClientServerProtocolAndInternalId() {
    SessionInfo session = new SessionInfo("S1", new InetSocketAddress("192.0.2.7", 40000),
        new InetSocketAddress("127.0.0.1", 2525), "mail.fabrikam.example", true, false, null);
    String header = new String(ReceivedHeader.build(session, "EX01.contoso.test", 42,
        ZonedDateTime.of(2025, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC)), StandardCharsets.US_ASCII);
    assertEquals("Received: from mail.fabrikam.example (192.0.2.7 [192.0.2.7])\r\n"
        + " by EX01.contoso.test (127.0.0.1) with ESMTP id 42;\r\n Thu, 2 Jan 2025 03:04:05 +0000\r\n", header);
  }

  @Test
  void protocolKeywordFollowsRfc3848() {
    InetSocketAddress a = new InetSocketAddress("127.0.0.1", 1);
    assertEquals("SMTP", ReceivedHeader.protocol(new SessionInfo("S", a, a, "h", false, false, null)));
    assertEquals("ESMTPS", ReceivedHeader.protocol(new SessionInfo("S", a, a, "h", true, true, null)));
    assertEquals("ESMTPSA", ReceivedHeader.protocol(new SessionInfo("S", a, a, "h", true, true, "alice")));
  }
}
