package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataCommandTest {

  @Test
  void aLargeBodyFedInRandomPiecesArrivesUnstuffedOctetForOctet() {
    // lines of every length around the reader's eight-octet steps, dots leading, inside and alone, 8-bit octets
    java.util.Random random = new java.util.Random(5);
    StringBuilder wire = new StringBuilder("DATA\r\nSubject: big\r\n\r\n");
    StringBuilder want = new StringBuilder("Subject: big\r\n\r\n");
    for (int line = 0; line < 3_000; line++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        text.append(random.nextInt(9) == 0 ? '.' : random.nextInt(13) == 0 ? '\u00e9' : (char) ('a' + random.nextInt(26)));
      }
      String content = (random.nextInt(4) == 0 ? "." : "") + text;
      wire.append(content.startsWith(".") ? "." : "").append(content).append("\r\n"); // dot-stuffed as a client does
      want.append(content).append("\r\n");
    }
    byte[] bytes = wire.append(".\r\n").toString().getBytes(StandardCharsets.UTF_8);
    SessionProbe probe = SessionProbe.inTransaction();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(97));
      probe.sendBytes(java.util.Arrays.copyOfRange(bytes, at, at + n));
      at += n;
    }
    assertEquals(List.of(354, 250), probe.codes());
    assertEquals(want.toString(), probe.messageText(0));
  }

  @Test
  void theLineScanFindsTheFirstCrOrLfWhereverItIsInAWord() {
    java.util.Random random = new java.util.Random(9);
    byte[] alphabet = {'a', '.', '\r', '\n', (byte) 0x8D, (byte) 0x8A, 0x0C, 0x0E, 0x09, 0x0B, 0x00, (byte) 0xFF};
    for (int round = 0; round < 5_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('a' + random.nextInt(26));
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int to = from + random.nextInt(bytes.length - from + 1);
      int want = to;
      for (int i = from; i < to; i++) {
        if (bytes[i] == '\r' || bytes[i] == '\n') {
          want = i;
          break;
        }
      }
      assertEquals(want, DataReader.indexOfLineByte(bytes, from, to), "got another index in "
          + java.util.Arrays.toString(bytes) + " [" + from + ", " + to + ")");
    }
  }

  @Test
  void dataAnswers354WithExchangeText() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\n");
    assertEquals("354 Start mail input; end with <CRLF>.<CRLF>", probe.lastText());
  }

  @Test
  void messageEndsAtCrlfDotCrlfAndIsQueued() {
    SessionProbe probe = SessionProbe.inTransaction()
        .send("DATA\r\nSubject: hi\r\n\r\nHello\r\n.\r\n");
    assertEquals(List.of(354, 250), probe.codes());
    assertEquals(SessionProbe.QUEUED, probe.last());
    assertEquals("Subject: hi\r\n\r\nHello\r\n", probe.messageText(0));
    assertFalse(probe.messages.get(0).chunked());
  }

  @Test
  void leadingDotsAreUnstuffed() {
    SessionProbe probe = SessionProbe.inTransaction()
        .send("DATA\r\n..hidden\r\n.x\r\n...\r\nend\r\n.\r\n");
    assertEquals(".hidden\r\nx\r\n..\r\nend\r\n", probe.messageText(0));
  }

  @Test
  void emptyMessageIsAccepted() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\n.\r\n");
    assertEquals("", probe.messageText(0));
  }

  @Test
  void traceHeaderComesFirstAndDoesNotCountAgainstLimit() {
    SessionProbe probe = SessionProbe.inTransaction(SessionProbe.CONFIG.withMaxMessageSize(5));
    probe.trace = "Received: from c\r\n".getBytes(StandardCharsets.US_ASCII);
    probe.send("DATA\r\nabc\r\n.\r\n");
    assertEquals(250, probe.last().code());
    assertEquals("Received: from c\r\nabc\r\n", probe.messageText(0));
    assertEquals(23, probe.messages.get(0).content().size());
  }

  @Test
  void envelopeAndSessionTravelWithTheMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nx\r\n.\r\n");
    ReceivedMessage m = probe.messages.get(0);
    assertEquals("alice@fabrikam.com", m.envelope().mailFrom().reversePath());
    assertEquals("client.example", m.session().heloName());
    assertEquals("192.0.2.7", m.session().clientIp());
  }

  @Test
  void transactionEndsAfterMessage() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nx\r\n.\r\nRCPT TO:<c@contoso.com>\r\n");
    assertEquals("503 5.5.2 Need mail command", probe.lastText());
  }

  @Test
  void dataWithoutMailOrRcptIsRefused() {
    SessionProbe probe = SessionProbe.greeted().send("DATA\r\nMAIL FROM:<a@b.example>\r\nDATA\r\n");
    assertEquals(List.of("503 5.5.2 Need mail command", "250 2.1.0 Sender OK", "503 5.5.2 Need rcpt command"),
        probe.texts());
  }

  @Test
  void dataWithArgumentIsInvalid() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA now\r\n");
    assertEquals("501 5.5.4 Invalid arguments", probe.lastText());
  }

  @Test
  void binaryMimeMustUseBdat() {
    SessionProbe probe = SessionProbe.greeted()
        .send("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@contoso.com>\r\nDATA\r\n");
    assertEquals("503 5.5.1 Bad sequence of commands", probe.lastText());
  }

  @Test
  void dataHookDenialEndsTransaction() {
    SessionProbe probe = SessionProbe.inTransaction();
    probe.onData = HookResult.deny(SmtpReply.of(554, "5.7.1", "No"));
    probe.send("DATA\r\nDATA\r\n");
    assertEquals(List.of(554, 503), probe.codes());
  }

  @Test
  void commandsAfterMessageAreCommandsAgain() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nx\r\n.\r\nQUIT\r\n");
    assertEquals(List.of(354, 250, 221), probe.codes());
    assertTrue(probe.closed);
  }

  @Test
  void eightBitContentIsKept() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nGrüße\r\n.\r\n");
    assertEquals("Grüße\r\n", probe.messageText(0));
  }
}
