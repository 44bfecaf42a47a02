package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpReply;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The asynchronous end of a message, disconnects, timeouts and failing hooks. */
class MessageCompletionTest {

  @Test
  void replyWaitsForTheMessageHook() {
    SessionProbe probe = SessionProbe.inTransaction();
    CompletableFuture<SmtpReply> answer = new CompletableFuture<>();
    probe.onMessage = m -> answer;
    probe.send("DATA\r\nx\r\n.\r\n");
    assertEquals(List.of(354), probe.codes());
    assertTrue(probe.session.isBusy());
    answer.complete(SessionProbe.QUEUED);
    assertEquals(List.of(354, 250), probe.codes());
    assertFalse(probe.session.isBusy());
    assertEquals(List.of(true, false), probe.heldSignals);
  }

  @Test
  void answerRunsOnTheSessionsExecutor() {
    ArrayDeque<Runnable> loop = new ArrayDeque<>();
    SessionProbe probe = SessionProbe.create();
    SmtpSession session = new SmtpSession(SessionProbe.CONFIG, probe, probe, probe.session.info(), loop::add);
    session.start();
    session.feed("EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@contoso.com>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n"
        .getBytes());
    assertEquals(List.of(220, 250, 250, 250, 354), probe.codes());
    assertEquals(1, loop.size(), "completion is handed to the executor, not run inline");
    loop.poll().run();
    assertEquals(List.of(220, 250, 250, 250, 354, 250, 250), probe.codes());
  }

  @Test
  void failedHookAnswers451AndClientKeepsMessage() {
    SessionProbe probe = SessionProbe.inTransaction();
    probe.onMessage = m -> CompletableFuture.failedFuture(new IllegalStateException("broker down"));
    probe.send("DATA\r\nx\r\n.\r\n");
    assertEquals("451 4.3.0 Temporary server error, please try again later", probe.lastText());
    assertFalse(probe.closed);
  }

  @Test
  void hookThrowingIsAnswered451() {
    SessionProbe probe = SessionProbe.inTransaction();
    probe.onMessage = m -> {
      throw new IllegalStateException("bug");
    };
    probe.send("DATA\r\nx\r\n.\r\nNOOP\r\n");
    assertEquals(List.of(354, 451, 250), probe.codes());
  }

  @Test
  void policyHookThrowingIsAnswered451AndSessionContinues() {
    SessionProbe probe = SessionProbe.greeted();
    probe.onRcpt = r -> {
      throw new IllegalStateException("directory bug");
    };
    probe.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@contoso.com>\r\nNOOP\r\n");
    assertEquals(List.of(250, 451, 250), probe.codes());
  }

  @Test
  void disconnectMidDataQueuesNothing() {
    SessionProbe probe = SessionProbe.inTransaction().send("DATA\r\nSubject: half\r\n\r\nsome body");
    probe.session.disconnected();
    probe.send("\r\n.\r\n");
    assertTrue(probe.messages.isEmpty());
    assertTrue(probe.session.isClosed());
  }

  @Test
  void answerAfterDisconnectIsDropped() {
    SessionProbe probe = SessionProbe.inTransaction();
    CompletableFuture<SmtpReply> answer = new CompletableFuture<>();
    probe.onMessage = m -> answer;
    probe.send("DATA\r\nx\r\n.\r\n");
    probe.session.disconnected();
    answer.complete(SessionProbe.QUEUED);
    assertEquals(List.of(354), probe.codes());
  }

  @Test
  void timeoutSends421AndCloses() {
    SessionProbe probe = SessionProbe.greeted();
    probe.session.timedOut();
    assertEquals("421 4.4.1 Connection timed out", probe.lastText());
    assertTrue(probe.closed);
  }

  @Test
  void a421FromTheMessageHookClosesTheSession() {
    SessionProbe probe = SessionProbe.inTransaction();
    probe.onMessage = m -> CompletableFuture.completedFuture(SmtpReply.of(421, "4.3.2", "shutting down"));
    probe.send("DATA\r\nx\r\n.\r\nNOOP\r\n");
    assertEquals(List.of(354, 421), probe.codes());
    assertTrue(probe.closed);
  }

  @Test
  void feedingBeforeStartIsAnError() {
    SessionProbe probe = SessionProbe.create();
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> probe.send("NOOP\r\n"));
  }
}
