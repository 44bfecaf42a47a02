package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class BdatCommandTest {

  @Test
  void singleLastChunkIsQueued() {
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT 7 LAST\r\nHello\r\n");
    assertEquals(List.of(250), probe.codes());
    assertEquals(SessionProbe.QUEUED, probe.last());
    assertEquals("Hello\r\n", probe.messageText(0));
    assertTrue(probe.messages.get(0).chunked());
  }

  @Test
  void chunksAreJoinedAndEachNonLastChunkIsAcknowledged() {
    SessionProbe probe = SessionProbe.inTransaction()
        .send("BDAT 3\r\nabcBDAT 4\r\ndefgBDAT 0 LAST\r\n");
    assertEquals(List.of("250 2.6.0 CHUNK received OK, 3 octets", "250 2.6.0 CHUNK received OK, 4 octets",
        SessionProbe.QUEUED.toString()), probe.texts());
    assertEquals("abcdefg", probe.messageText(0));
  }

  @Test
  void chunkContentIsNotDotUnstuffedNorParsed() {
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT 13 last\r\n..\r\nQUIT\r\n.\r\n");
    assertEquals("..\r\nQUIT\r\n.\r\n", probe.messageText(0));
    assertEquals(List.of(250), probe.codes());
  }

  @Test
  void chunkWithoutRecipientsIsReadAndRefused() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@b.example>\r\nBDAT 4 LAST\r\nNOOPNOOP\r\n");
    assertEquals(List.of("250 2.1.0 Sender OK", "503 5.5.2 Need rcpt command", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void chunkWithoutMailIsReadAndRefused() {
    SessionProbe probe = SessionProbe.greeted().send("BDAT 6\r\nQUIT\r\nNOOP\r\n");
    assertEquals(List.of("503 5.5.2 Need mail command", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void dataAfterBdatIsOutOfSequence() {
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT 1\r\nxDATA\r\n");
    assertEquals("503 5.5.1 Bad sequence of commands", probe.lastText());
  }

  @Test
  void binaryMimeMessageTravelsByBdat() {
    SessionProbe probe = SessionProbe.greeted().send(
        "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@contoso.com>\r\nBDAT 3 LAST\r\n\0\1\2");
    assertEquals(250, probe.last().code());
    assertEquals(BodyType.BINARY_MIME, probe.messages.get(0).envelope().mailFrom().bodyType());
  }

  @Test
  void malformedBdatIsInvalidArguments() {
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT ten\r\nBDAT 1 FIRST\r\nBDAT\r\n");
    assertEquals(List.of(501, 501, 501), probe.codes());
  }

  @Test
  void chunksOverLimitAreReadThenRefusedAndLaterChunksFindNoTransaction() {
    SessionProbe probe = SessionProbe.inTransaction(SessionProbe.CONFIG.withMaxMessageSize(5))
        .send("BDAT 4\r\nabcdBDAT 4\r\nefghBDAT 2 LAST\r\nijNOOP\r\n");
    assertEquals(List.of("250 2.6.0 CHUNK received OK, 4 octets",
        "552 5.3.4 Message size exceeds fixed maximum message size",
        "503 5.5.2 Need mail command", "250 2.0.0 OK"), probe.texts());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void chunkSplitAcrossManyFeedsIsReassembled() {
    SessionProbe probe = SessionProbe.inTransaction().sendByteAtATime("BDAT 10 LAST\r\n0123456789NOOP\r\n");
    assertEquals("0123456789", probe.messageText(0));
    assertEquals(List.of(250, 250), probe.codes());
  }

  @Test
  void dataHookDenialIsSentAfterTheChunk() {
    SessionProbe probe = SessionProbe.inTransaction();
    probe.onData = HookResult.deny(SmtpReply.of(554, "5.7.1", "No"));
    probe.send("BDAT 4\r\nNOOPBDAT 2 LAST\r\nxy");
    assertEquals(List.of(554, 503), probe.codes());
  }
}
