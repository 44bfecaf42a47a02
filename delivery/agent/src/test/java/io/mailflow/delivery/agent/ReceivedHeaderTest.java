package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {

  private static final Instant AT = Instant.parse("2025-03-04T05:06:07Z");

  @Test
  void namesTheEdgeThisServerTheTopicAndTheCopy() {
    assertEquals("Received: from EDGE1 by MF1 with mailflow (mail.delivery.v1) id iid-1; Tue, 4 Mar 2025 05:06:07 +0000\r\n",
        ReceivedHeader.line("EDGE1", "MF1", "iid-1", AT));
  }

  @Test
  void valuesCannotBreakTheHeaderLine() {
    assertEquals("Received: from a_b__X-Evil:_1 by unknown with mailflow (mail.delivery.v1) id _x_; "
            + "Tue, 4 Mar 2025 05:06:07 +0000\r\n",
        ReceivedHeader.line("a b\r\nX-Evil: 1", "", "(x)", AT));
  }

  @Test
  void goesOnTopOfTheMessage() {
    byte[] out = ReceivedHeader.prepend("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII),
        "EDGE1", "MF1", "iid-1", AT);
    assertEquals("Received: from EDGE1 by MF1 with mailflow (mail.delivery.v1) id iid-1; Tue, 4 Mar 2025 05:06:07 +0000\r\n"
        + "Subject: x\r\n\r\nbody\r\n", new String(out, StandardCharsets.US_ASCII));
  }

  @Test
  void theDateWrittenOnceASecondIsTheFormattersForEverySecond() {
    java.time.format.DateTimeFormatter formatter = java.time.format.DateTimeFormatter
        .ofPattern("EEE, d MMM yyyy HH:mm:ss Z", java.util.Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC);
    Instant start = Instant.parse("2026-12-31T23:59:58Z");
    java.util.Random random = new java.util.Random(13);
    for (int i = 0; i < 500; i++) {
      // runs of the same second (different nanos), then the next seconds, across a year's end
      Instant t = start.plusNanos(random.nextInt(4) * 400_000_000L + i / 3 * 1_000_000_000L);
      assertEquals(formatter.format(t), ReceivedHeader.date(t), "at " + t);
    }
    assertEquals("Thu, 31 Dec 2026 23:59:58 +0000", ReceivedHeader.date(start));
  }
}
