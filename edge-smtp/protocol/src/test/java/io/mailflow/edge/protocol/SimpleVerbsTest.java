package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RSET, NOOP, QUIT, VRFY, HELP and unknown verbs. */
class SimpleVerbsTest {

  @Test
  void rsetAbandonsTransactionButKeepsGreeting() {
    SessionProbe probe = SessionProbe.inTransaction().send("RSET\r\nDATA\r\nMAIL FROM:<a@b.example>\r\n");
    assertEquals(List.of("250 2.0.0 Resetting", "503 5.5.2 Need mail command", "250 2.1.0 Sender OK"),
        probe.texts());
  }

  @Test
  void rsetWithArgumentIsInvalid() {
    SessionProbe probe = SessionProbe.greeted().send("RSET all\r\n");
    assertEquals("501 5.5.4 Invalid arguments", probe.lastText());
  }

  @Test
  void noopAnswersOkWithOrWithoutArgument() {
    SessionProbe probe = SessionProbe.started().send("NOOP\r\nNOOP hello\r\n");
    assertEquals(List.of("250 2.0.0 OK", "250 2.0.0 OK"), probe.texts());
  }

  @Test
  void quitAnswers221AndCloses() {
    SessionProbe probe = SessionProbe.started().send("QUIT\r\nNOOP\r\n");
    assertEquals(List.of("221 2.0.0 Service closing transmission channel"), probe.texts());
    assertTrue(probe.closed);
    assertEquals(1, probe.closeCalls);
  }

  @Test
  void vrfyNeverDisclosesAnything() {
    SessionProbe probe = SessionProbe.greeted().send("VRFY bob\r\nVRFY\r\n");
    assertEquals(List.of("252 2.1.5 Cannot VRFY user", "501 5.5.4 Invalid arguments"), probe.texts());
  }

  @Test
  void helpListsCommands() {
    SessionProbe probe = SessionProbe.started().send("HELP\r\n");
    assertEquals(214, probe.last().code());
    assertTrue(probe.last().lines().get(1).contains("BDAT"));
  }

  @Test
  void unknownVerbIsUnrecognized() {
    SessionProbe probe = SessionProbe.started().send("XYZZY plugh\r\n");
    assertEquals("500 5.3.3 Unrecognized command 'XYZZY'", probe.lastText());
  }

  @Test
  void authIsNotOfferedYetAndUnrecognized() {
    SessionProbe probe = SessionProbe.greeted().send("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n");
    assertEquals("500 5.3.3 Unrecognized command 'AUTH'", probe.lastText());
  }

  @Test
  void authCredentialsNeverReachTheProtocolLog() {
    SessionProbe probe = SessionProbe.greeted().send("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\nAUTH LOGIN\r\n");
    assertEquals(List.of("AUTH PLAIN ****", "AUTH LOGIN"), probe.commands);
  }

  @Test
  void everyCommandLineIsReportedForTheProtocolLog() {
    SessionProbe probe = SessionProbe.started().send("EHLO c\r\nNOOP\r\nbogus\r\n");
    assertEquals(List.of("EHLO c", "NOOP", "bogus"), probe.commands);
  }

  @Test
  void chainListsEveryVerb() {
    assertEquals(List.of("EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY",
        "STARTTLS", "AUTH", "HELP"), SmtpSession.verbs());
  }
}
