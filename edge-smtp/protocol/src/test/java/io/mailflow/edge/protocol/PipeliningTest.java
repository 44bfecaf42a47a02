package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 2920 pipelining and arbitrary splitting of the input. */
class PipeliningTest {

  private static final String TWO_MESSAGES = "EHLO client.example\r\n"
      + "MAIL FROM:<a@fabrikam.com> SIZE=20\r\nRCPT TO:<b@contoso.com>\r\nRCPT TO:<c@contoso.com>\r\nDATA\r\n"
      + "Subject: one\r\n\r\n..dot\r\n.\r\n"
      + "MAIL FROM:<>\r\nRCPT TO:<d@contoso.com>\r\nBDAT 5\r\nSubjeBDAT 9 LAST\r\nct: two\r\n"
      + "QUIT\r\n";

  private static final List<Integer> CODES = List.of(250, 250, 250, 250, 354, 250, 250, 250, 250, 250, 221);

  @Test
  void wholeDialogueInOneBufferGetsRepliesInOrder() {
    SessionProbe probe = SessionProbe.started().send(TWO_MESSAGES);
    assertEquals(CODES, probe.codes());
    assertMessages(probe);
  }

  @Test
  void wholeDialogueOneByteAtATimeGivesTheSameResult() {
    SessionProbe probe = SessionProbe.started().sendByteAtATime(TWO_MESSAGES);
    assertEquals(CODES, probe.codes());
    assertMessages(probe);
  }

  @Test
  void everySplitPointGivesTheSameResult() {
    for (int split = 1; split < TWO_MESSAGES.length(); split++) {
      SessionProbe probe = SessionProbe.started()
          .send(TWO_MESSAGES.substring(0, split)).send(TWO_MESSAGES.substring(split));
      assertEquals(CODES, probe.codes(), "split at " + split);
      assertMessages(probe);
    }
  }

  @Test
  void crAndLfInSeparateFeedsStillEndTheLine() {
    SessionProbe probe = SessionProbe.started().send("NOOP\r").send("\nNOOP\r").send("\n");
    assertEquals(List.of(250, 250), probe.codes());
  }

  @Test
  void commandsQueuedBehindAPendingMessageAreAnsweredAfterIt() {
    SessionProbe probe = SessionProbe.inTransaction();
    List<java.util.concurrent.CompletableFuture<SmtpReply>> pending = new ArrayList<>();
    probe.onMessage = m -> {
      var f = new java.util.concurrent.CompletableFuture<SmtpReply>();
      pending.add(f);
      return f;
    };
    probe.send("DATA\r\nx\r\n.\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@contoso.com>\r\nDATA\r\ny\r\n.\r\nNOOP\r\n");
    assertEquals(List.of(354), probe.codes());
    pending.get(0).complete(SessionProbe.QUEUED);
    assertEquals(List.of(354, 250, 250, 250, 354), probe.codes());
    pending.get(1).complete(SmtpReply.of(451, "4.3.0", "later"));
    assertEquals(List.of(354, 250, 250, 250, 354, 451, 250), probe.codes());
  }

  private static void assertMessages(SessionProbe probe) {
    assertEquals(2, probe.messages.size());
    assertEquals("Subject: one\r\n\r\n.dot\r\n", probe.messageText(0));
    assertEquals("Subject: two\r\n", probe.messageText(1));
    assertEquals(2, probe.messages.get(0).envelope().recipients().size());
    assertEquals("", probe.messages.get(1).envelope().mailFrom().reversePath());
  }
}
