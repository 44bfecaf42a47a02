package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BodySpillTest {
  /** 100 octets inline, 64-octet chunks, 2 writes in flight. */
  private static final SmtpConfig SPILLING = SessionProbe.CONFIG.withBodySpill(100, 64, 2);
  private static final String TRACE = "Received: from test\r\n";
  private static final String HEADERS = "Subject: big\r\nFrom: a@b.example\r\n\r\n";

  private static String body(int lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append("line ").append(1000 + i).append(" of the body\r\n"); // 23 octets each
    }
    return sb.toString();
  }

  private static SessionProbe probe(HandDrivenSpill spill) {
    SessionProbe probe = SessionProbe.inTransaction(SPILLING);
    probe.trace = TRACE.getBytes(StandardCharsets.US_ASCII);
    probe.onSpill = () -> Optional.of(spill);
    return probe;
  }

  @Test
  void smallMessageStaysInMemoryWithoutAskingForASpill() {
    SessionProbe probe = probe(HandDrivenSpill.automatic()).send("DATA\r\n" + HEADERS + "hi\r\n.\r\n");
    assertEquals(250, probe.last().code());
    assertEquals(0, probe.spillCalls);
    assertFalse(probe.messages.get(0).content().spilled());
    assertEquals(TRACE + HEADERS + "hi\r\n", probe.messageText(0));
  }

  @Test
  void largeMessageKeepsItsHeadInMemoryAndSpillsTheRestInOrderedChunks() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    String body = body(40);
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body + ".\r\n");
    assertEquals(List.of(354, 250), probe.codes());
    MessageContent content = probe.messages.get(0).content();
    assertTrue(content.spilled());
    assertEquals(TRACE + HEADERS, probe.messageText(0), "the head ends with the header section's CRLF CRLF");
    assertEquals(body, new String(spill.data(), StandardCharsets.US_ASCII));
    assertEquals(spill.chunks.size(), content.spilledChunks());
    assertEquals(body.length(), content.spilledOctets());
    assertEquals(TRACE.length() + HEADERS.length() + body.length(), content.size());
    assertTrue(spill.chunks.subList(0, spill.chunks.size() - 1).stream().allMatch(c -> c.length == 64));
    assertTrue(spill.finished.isDone());
    assertFalse(spill.discarded);
    assertEquals(1, probe.spillCalls);
  }

  @Test
  void byteAtATimeInputSpillsTheSameOctets() {
    HandDrivenSpill whole = HandDrivenSpill.automatic();
    HandDrivenSpill bytes = HandDrivenSpill.automatic();
    String message = "DATA\r\n" + HEADERS + body(30) + "..dot-stuffed\r\n.\r\n";
    probe(whole).send(message);
    SessionProbe slow = probe(bytes).sendByteAtATime(message);
    assertEquals(250, slow.last().code());
    assertArrayEquals(whole.data(), bytes.data());
    assertTrue(new String(bytes.data(), StandardCharsets.US_ASCII).endsWith("\r\n.dot-stuffed\r\n"));
  }

  @Test
  void engineStopsReadingWhileTheWindowIsFullAndResumesWhenAWriteCompletes() {
    HandDrivenSpill spill = new HandDrivenSpill();
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body(40) + ".\r\nNOOP\r\n");
    assertEquals(2, spill.writes.size(), "no more writes than the window");
    assertTrue(probe.session.isBusy());
    assertEquals(List.of(354), probe.codes(), "the rest of the message and the NOOP wait");
    assertEquals(true, probe.heldSignals.get(probe.heldSignals.size() - 1), "the adapter pauses the socket");

    spill.writes.get(0).complete(null);
    assertEquals(3, spill.writes.size(), "one write done: one more chunk goes out");
    assertEquals(2, spill.pendingWrites());
    int rounds = 0;
    while (spill.finished == null && rounds++ < 100) {
      spill.completeAll();
    }
    assertEquals(List.of(354), probe.codes(), "no 250 before the spill is finished");
    spill.finished.complete(null);
    assertEquals(List.of(354, 250, 250), probe.codes());
    assertFalse(probe.session.isBusy());
    assertEquals(false, probe.heldSignals.get(probe.heldSignals.size() - 1));
    assertEquals(body(40), new String(spill.data(), StandardCharsets.US_ASCII));
  }

  @Test
  void failedWriteIsAnsweredAtTheEndOfDataAndTheSessionGoesOn() {
    HandDrivenSpill spill = new HandDrivenSpill();
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body(40) + ".\r\nNOOP\r\n");
    spill.writes.get(0).completeExceptionally(new IllegalStateException("broker gone"));
    assertTrue(spill.discarded);
    assertEquals(List.of("354 Start mail input; end with <CRLF>.<CRLF>",
        "451 4.3.0 Temporary server error, please try again later", "250 2.0.0 OK"), probe.texts());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void failedFinishIsAnsweredLikeAFailedWrite() {
    HandDrivenSpill spill = new HandDrivenSpill();
    spill.autoComplete = false;
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body(10) + ".\r\n");
    int rounds = 0;
    while (spill.finished == null && rounds++ < 100) {
      spill.completeAll();
    }
    spill.finished.completeExceptionally(new IllegalStateException("not stored"));
    assertEquals(451, probe.last().code());
    assertTrue(spill.discarded);
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void fullSizeChunksFilledFromASmallFirstArrayHoldTheBodyOctetForOctet() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    SessionProbe probe = SessionProbe.inTransaction(SessionProbe.CONFIG.withBodySpill(1024, 256 * 1024, 4));
    probe.trace = TRACE.getBytes(StandardCharsets.US_ASCII);
    probe.onSpill = () -> Optional.of(spill);
    String body = body(27_000); // ~620 KB: two full 256 KB chunks grown from MessageBuffer.FIRST_PENDING, then the rest
    byte[] wire = ("DATA\r\n" + HEADERS + body + ".\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < wire.length; at += 7_919) { // reads of odd sizes, as a socket gives them
      probe.sendBytes(java.util.Arrays.copyOfRange(wire, at, Math.min(wire.length, at + 7_919)));
    }
    assertEquals(List.of(354, 250), probe.codes());
    assertEquals(3, spill.chunks.size());
    assertEquals(256 * 1024, spill.chunks.get(0).length);
    assertEquals(256 * 1024, spill.chunks.get(1).length);
    StringBuilder spilled = new StringBuilder();
    spill.chunks.forEach(c -> spilled.append(new String(c, StandardCharsets.US_ASCII)));
    assertEquals(body, spilled.toString());
  }

  @Test
  void aHeaderSectionLongerThanTheInlineLimitStaysWholeInTheHeadAndTheRestSpills() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      headers.append("X-Field-").append(i).append(": value\r\n"); // ~360 octets: past the 100-octet inline limit
    }
    String body = body(12);
    SessionProbe probe = probe(spill).send("DATA\r\n" + headers + "\r\n" + body + ".\r\n");
    assertEquals(List.of(354, 250), probe.codes());
    assertEquals(TRACE + headers + "\r\n", probe.messageText(0), "the head is the whole header section");
    StringBuilder spilled = new StringBuilder();
    spill.chunks.forEach(c -> spilled.append(new String(c, StandardCharsets.US_ASCII)));
    assertEquals(body, spilled.toString());
    assertFalse(spill.discarded);
  }

  @Test
  void headerSectionNotEndedWithinTheSpillHeaderLimitIsRefused() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    StringBuilder headers = new StringBuilder();
    for (int i = 0; headers.length() <= SmtpConfig.SPILL_HEADER_SECTION_LIMIT; i++) {
      headers.append("X-Field-").append(i).append(": value\r\n");
    }
    SessionProbe probe = probe(spill).send("DATA\r\n" + headers + "\r\nbody\r\n.\r\nNOOP\r\n");
    assertEquals(List.of("354 Start mail input; end with <CRLF>.<CRLF>",
        "552 5.3.4 Message header size exceeds limit", "250 2.0.0 OK"), probe.texts());
    assertTrue(spill.chunks.isEmpty());
    assertTrue(spill.discarded);
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void oversizeMessageStopsSpillingAndIsRefused() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    SessionProbe probe = probe(spill);
    SessionProbe sized = SessionProbe.inTransaction(SPILLING.withMaxMessageSize(300));
    sized.trace = probe.trace;
    sized.onSpill = probe.onSpill;
    sized.send("DATA\r\n" + HEADERS + body(100) + ".\r\n");
    assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", sized.lastText());
    assertTrue(spill.discarded);
    assertTrue(spill.data().length <= 300, "nothing past the limit is written");
    assertTrue(sized.messages.isEmpty());
  }

  @Test
  void largeBdatMessageSpillsToo() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    String body = body(20);
    String first = HEADERS + body.substring(0, 200);
    String second = body.substring(200);
    SessionProbe probe = probe(spill).send("BDAT " + first.length() + "\r\n" + first
        + "BDAT " + second.length() + " LAST\r\n" + second);
    assertEquals(List.of(250, 250), probe.codes());
    assertTrue(probe.messages.get(0).chunked());
    assertTrue(probe.messages.get(0).content().spilled());
    assertEquals(body, new String(spill.data(), StandardCharsets.US_ASCII));
  }

  @Test
  void rsetBetweenBdatChunksDiscardsTheSpill() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    String first = HEADERS + body(10);
    SessionProbe probe = probe(spill).send("BDAT " + first.length() + "\r\n" + first + "RSET\r\n");
    assertEquals(List.of(250, 250), probe.codes());
    assertFalse(spill.chunks.isEmpty());
    assertTrue(spill.discarded);
    assertNull(spill.finished);
  }

  @Test
  void disconnectMidMessageDiscardsTheSpill() {
    HandDrivenSpill spill = new HandDrivenSpill();
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body(40));
    probe.session.disconnected();
    assertTrue(spill.discarded);
    spill.completeAll(); // late acknowledgements change nothing
    assertTrue(probe.messages.isEmpty());
    assertEquals(List.of(354), probe.codes());
  }

  @Test
  void quitInsideSpilledContentIsContentAndAfterItEndsTheSession() {
    HandDrivenSpill spill = HandDrivenSpill.automatic();
    SessionProbe probe = probe(spill).send("DATA\r\n" + HEADERS + body(10) + "QUIT\r\n.\r\nQUIT\r\n");
    assertEquals(List.of(354, 250, 221), probe.codes());
    assertTrue(new String(spill.data(), StandardCharsets.US_ASCII).endsWith("QUIT\r\n"));
  }

  @Test
  void withoutASpillALargeMessageStaysInMemoryWhole() {
    SessionProbe probe = SessionProbe.inTransaction(SPILLING);
    String body = body(40);
    probe.send("DATA\r\nno header section at all\r\n" + body + ".\r\n");
    assertEquals(250, probe.last().code());
    assertFalse(probe.messages.get(0).content().spilled());
    assertEquals("no header section at all\r\n" + body, probe.messageText(0));
  }
}
