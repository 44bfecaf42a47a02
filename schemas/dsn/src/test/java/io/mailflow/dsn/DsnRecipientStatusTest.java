package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.smtp.SmtpReply;
import org.junit.jupiter.api.Test;

/** What a DSN's Status field says for a reply read from the tracking log (parsing itself: SmtpReplyTest). */
class DsnRecipientStatusTest {

  @Test
  void aTrackingStatusLineGivesItsEnhancedStatus() {
    SmtpReply reply = SmtpReply.parse("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found");
    assertEquals("5.1.1", new DsnRecipient("a@x.test", null, DsnAction.FAILED, reply, null).status());
    assertEquals("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", reply.line());
  }

  @Test
  void aStatusOfAnotherClassThanTheCodeStaysTextAndStillGivesTheStatus() {
    SmtpReply reply = SmtpReply.parse("550 4.4.7 QUEUE.Expired; message expired");
    assertEquals("", reply.enhancedStatus());
    assertEquals("4.4.7", new DsnRecipient("a@x.test", null, DsnAction.FAILED, reply, null).status());
  }

  @Test
  void twoDigitStatusDetailIsKept() {
    SmtpReply reply = SmtpReply.parse("550 5.7.60 SMTP; Client does not have permissions to send as this sender");
    assertEquals("5.7.60", new DsnRecipient("a@x.test", null, DsnAction.FAILED, reply, null).status());
  }
}
