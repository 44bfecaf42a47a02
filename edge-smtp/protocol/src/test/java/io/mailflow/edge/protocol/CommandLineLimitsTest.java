package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line length, bare CR/LF in commands, and the protocol error limit. */
class CommandLineLimitsTest {

  @Test
  void lineOf512OctetsWithCrlfIsAccepted() {
    String line = "NOOP " + "x".repeat(510 - 5);
    SessionProbe probe = SessionProbe.started().send(line + "\r\n");
    assertEquals("250 2.0.0 OK", probe.lastText());
  }

  @Test
  void lineOver512OctetsIsRefusedOnceAndItsRestIgnored() {
    String line = "MAIL FROM:<a@b.example> " + "x".repeat(600);
    SessionProbe probe = SessionProbe.greeted().send(line + "\r\nNOOP\r\n");
    assertEquals(List.of("500 5.5.2 Line too long", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void endlessLineNeverGrowsAndIsRefusedOnce() {
    SessionProbe probe = SessionProbe.started();
    for (int i = 0; i < 1000; i++) {
      probe.send("y".repeat(1000));
    }
    probe.send("\r\nNOOP\r\n");
    assertEquals(List.of("500 5.5.2 Line too long", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void bareLineFeedEndsAndRefusesCommandLine() {
    SessionProbe probe = SessionProbe.greeted().send("NOOP\nNOOP\r\n");
    assertEquals(List.of("500 5.5.2 Syntax error, bare CR or LF in command line", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void bareCarriageReturnInsideCommandLineRefusesIt() {
    SessionProbe probe = SessionProbe.greeted().send("MAIL FROM:<a@b.example>\rRCPT TO:<c@d.example>\r\n");
    assertEquals(List.of(500), probe.codes());
    assertTrue(probe.commands.isEmpty(), "a line with a bare CR is never dispatched");
  }

  @Test
  void fifthProtocolErrorEndsSessionWith421() {
    SessionProbe probe = SessionProbe.started().send("A\r\nB\r\nC\r\nD\r\n");
    assertFalse(probe.closed);
    probe.send("E\r\nNOOP\r\n");
    assertEquals(List.of(500, 500, 500, 500, 500, 421), probe.codes());
    assertEquals("421 4.7.0 Too many errors on this connection, closing transmission channel", probe.lastText());
    assertTrue(probe.closed);
  }

  @Test
  void syntaxErrorsAndLongLinesCountTowardsTheLimit() {
    SessionProbe probe = SessionProbe.started(SessionProbe.CONFIG.withMaxProtocolErrors(3))
        .send("EHLO\r\n" + "x".repeat(600) + "\r\nNOOP\n");
    assertEquals(List.of(501, 500, 500, 421), probe.codes());
  }

  @Test
  void refusedRecipientsAndSequenceRepliesAreNotProtocolErrors() {
    SessionProbe probe = SessionProbe.greeted(SessionProbe.CONFIG.withMaxProtocolErrors(2));
    probe.onRcpt = r -> HookResult.deny(SmtpReply.of(550, "5.1.10", "not found"));
    probe.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@contoso.com>\r\nRCPT TO:<y@contoso.com>\r\n"
        + "RCPT TO:<z@contoso.com>\r\nDATA\r\nDATA\r\n");
    assertFalse(probe.closed);
  }
}
