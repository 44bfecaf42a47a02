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

  @Test
  void theDateWrittenOnceASecondIsTheFormattersForEverySecondAndOffset() {
    ZonedDateTime start = ZonedDateTime.of(2026, 12, 31, 23, 59, 58, 0, ZoneOffset.UTC);
    java.util.Random random = new java.util.Random(13);
    for (int i = 0; i < 500; i++) {
      // runs of the same second (different nanos), next seconds, and the same instant in another offset
      ZonedDateTime t = start.plusNanos(random.nextInt(4) * 400_000_000L + i / 3 * 1_000_000_000L);
      if (random.nextInt(4) == 0) {
        t = t.withZoneSameInstant(ZoneOffset.ofHours(random.nextInt(-12, 14)));
      }
      assertEquals(ReceivedHeader.RFC5322_DATE.format(t), ReceivedHeader.date(t), "at " + t);
    }
  }
}
