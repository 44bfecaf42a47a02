package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF. */
class TextLineLimitTest {
  private static final String REFUSED = "554 5.6.0 Message contains a line longer than 1000 octets";

  @Test
  void lineOfExactly1000OctetsWithCrlfIsAccepted() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\n" + "a".repeat(998) + "\r\n.\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void longerLineIsReadToTheEndThenRefusedAndTheSessionGoesOn() {
    SessionProbe probe = SessionProbe.inTransaction()
        .send("DATA\r\nSubject: x\r\n\r\n" + "a".repeat(999) + "\r\nmore\r\n.\r\nNOOP\r\n");
    assertEquals(List.of("354 Start mail input; end with <CRLF>.<CRLF>", REFUSED, "250 2.0.0 OK"), probe.texts());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void aLongHeaderLineCountsToo() {
    SessionProbe probe = SessionProbe.inTransaction().sendByteAtATime("DATA\r\nSubject: " + "b".repeat(2000) + "\r\n.\r\n");
    assertEquals(REFUSED, probe.lastText());
  }

  @Test
  void theDotAddedForTransparencyIsNotCounted() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\n." + ".".repeat(998) + "\r\n.\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void bdatContentLinesHaveTheSameLimit() {
    String content = "c".repeat(1001) + "\r\n";
    SessionProbe probe = SessionProbe.inTransaction().send("BDAT " + content.length() + " LAST\r\n" + content + "NOOP\r\n");
    assertEquals(List.of(REFUSED, "250 2.0.0 OK"), probe.texts());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void binaryMimeContentHasNoLines() {
    String content = "\0".repeat(5000);
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"
        + "RCPT TO:<c@contoso.com>\r\nBDAT " + content.length() + " LAST\r\n" + content);
    assertEquals(250, probe.last().code());
  }
}
