package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderFirewallTest {
  private static final String TRACE = "Received: from edge by ex01\r\n";

  private static HeaderFirewall.Verdict apply(String message, int maxHeaderSize, boolean acceptRouting) {
    byte[] content = (TRACE + message).getBytes(StandardCharsets.US_ASCII);
    return HeaderFirewall.apply(content, TRACE.length(), maxHeaderSize, acceptRouting);
  }

  private static String text(HeaderFirewall.Verdict verdict) {
    return new String(verdict.content(), StandardCharsets.US_ASCII);
  }

  @Test
  void organizationHeadersFromOutsideAreStrippedWithTheirContinuationLines() {
    HeaderFirewall.Verdict v = apply("X-MailFlow-Route: site-b\r\n\tfolded\r\nSubject: hi\r\n"
        + "x-mailflow-bypass: yes\r\n\r\nX-MailFlow-Route: body text stays\r\n", 1000, false);
    assertNull(v.refusal());
    assertEquals(2, v.stripped());
    assertEquals(TRACE + "Subject: hi\r\n\r\nX-MailFlow-Route: body text stays\r\n", text(v));
  }

  @Test
  void sessionsWithAcceptRoutingHeadersKeepThemUntouched() {
    HeaderFirewall.Verdict v = apply("X-MailFlow-Route: site-b\r\n\r\nbody\r\n", 1000, true);
    assertEquals(0, v.stripped());
    assertEquals(TRACE + "X-MailFlow-Route: site-b\r\n\r\nbody\r\n", text(v));
  }

  @Test
  void headerSectionOverMaxHeaderSizeIsRefused552() {
    String header = "Subject: " + "x".repeat(200) + "\r\n";
    assertEquals("552 5.3.4 Message header size exceeds limit", apply(header + "\r\nbody\r\n", 100, true)
        .refusal().toString().strip());
    assertNull(apply(header + "\r\n" + "b".repeat(5000) + "\r\n", 300, true).refusal(), "the body does not count");
  }

  @Test
  void moreThanThirtyReceivedFieldsIsAHopCountRefusal() {
    String thirty = "Received: from a by b\r\n".repeat(30);
    HeaderFirewall.Verdict ok = apply(thirty + "\r\nbody\r\n", 100_000, true);
    assertNull(ok.refusal());
    assertEquals(30, ok.hops(), "the edge's own trace header is not counted");
    assertEquals("554 5.4.6 Hop count exceeded - possible mail loop",
        apply(thirty + "received: from c by d\r\n\r\nbody\r\n", 100_000, true).refusal().toString().strip());
  }

  @Test
  void withoutAcceptRoutingHeadersReceivedFieldsAreStrippedAndNotCounted() {
    String forty = "Received: from a by b;\r\n\tMon, 1 Jan 2026 00:00:00 +0000\r\n".repeat(40);
    HeaderFirewall.Verdict v = apply(forty + "Resent-From: carol@fabrikam.test\r\nSubject: hi\r\n\r\n"
        + "Received: in the body stays\r\n", 100_000, false);
    assertNull(v.refusal(), "an untrusted trace is no hop count");
    assertEquals(0, v.hops());
    assertEquals(40, v.stripped());
    assertEquals(TRACE + "Resent-From: carol@fabrikam.test\r\nSubject: hi\r\n\r\nReceived: in the body stays\r\n",
        text(v), "the edge's own Received and the Resent-* fields stay; folded lines go with their field");
  }

  @Test
  void aMessageWithoutBodyOrBlankLineIsStillChecked() {
    byte[] content = (TRACE + "Subject: x").getBytes(StandardCharsets.US_ASCII);
    HeaderFirewall.Verdict v = HeaderFirewall.apply(content, TRACE.length(), 1000, false);
    assertNull(v.refusal());
    assertSame(content, v.content());
  }

  private static final String ID = "0b6f2c1e-8f7a-4d3e-9a41-5f1e2d3c4b5a";

  private static HeaderFirewall.Verdict relayed(String message, boolean acceptRouting, boolean fromServer) {
    byte[] content = (TRACE + message).getBytes(StandardCharsets.US_ASCII);
    return HeaderFirewall.apply(content, TRACE.length(), 100_000, acceptRouting, fromServer);
  }

  @Test
  void aRelayFromAnOrganizationServerWithAcceptRoutingHeadersGivesItsNetworkMessageId() {
    HeaderFirewall.Verdict v = relayed("X-MS-Exchange-Organization-Network-Message-Id: " + ID
        + "\r\nSubject: hi\r\n\r\nbody\r\n", true, true);
    assertNull(v.refusal());
    assertEquals(ID, v.networkMessageId());
    assertEquals(0, v.stripped());
    assertEquals(TRACE + "Subject: hi\r\n\r\nbody\r\n", text(v), "the envelope carries the id from here on");
  }

  @Test
  void exchangeOrganizationFieldsAreStrippedUnlessBothTheRightAndAServersAddress() {
    String message = "X-MS-Exchange-Organization-Network-Message-Id: " + ID
        + "\r\nX-MS-Exchange-Organization-AuthAs: Internal\r\nSubject: hi\r\n\r\nbody\r\n";
    for (boolean[] trust : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
      HeaderFirewall.Verdict v = relayed(message, trust[0], trust[1]);
      assertNull(v.networkMessageId(), "right " + trust[0] + ", server " + trust[1]);
      assertEquals(2, v.stripped());
      assertEquals(TRACE + "Subject: hi\r\n\r\nbody\r\n", text(v));
    }
  }

  @Test
  void onAnOrganizationRelayOurOwnReceivedFieldCountsAndTheLimitIsSixty() {
    String fiftyNine = "Received: from a by b\r\n".repeat(59);
    HeaderFirewall.Verdict ok = relayed(fiftyNine + "\r\nbody\r\n", true, true);
    assertNull(ok.refusal());
    assertEquals(60, ok.hops(), "59 from the client and the edge's own");
    assertEquals("554 5.4.6 Hop count exceeded - possible mail loop",
        relayed(fiftyNine + "Received: from c by d\r\n\r\nbody\r\n", true, true).refusal().toString().strip());
    assertEquals("554 5.4.6 Hop count exceeded - possible mail loop",
        relayed(fiftyNine + "\r\nbody\r\n", true, false).refusal().toString().strip(),
        "anyone else: 30, as before");
  }
}
