package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.smtp.SmtpReply;
import org.junit.jupiter.api.Test;

/** The edge's own replies and hook results (rendering a reply: schemas/smtp SmtpReplyTest). */
class RepliesTest {

  @Test
  void denyNeedsPermanentAndDenySoftTransientReply() {
    assertThrows(IllegalArgumentException.class, () -> HookResult.deny(SmtpReply.of(451, "4.0.0", "x")));
    assertThrows(IllegalArgumentException.class, () -> HookResult.denySoft(SmtpReply.of(550, "5.0.0", "x")));
  }

  @Test
  void unrecognizedCommandQuotesOnlyPrintableText() {
    assertEquals("500 5.3.3 Unrecognized command 'A?B'", Replies.unrecognizedCommand("A\u0001B").toString());
  }

  @Test
  void configValidationNamesTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SmtpConfig.defaults("mx").withMaxRecipients(0));
    assertEquals("maxRecipients must be positive, got 0", e.getMessage());
  }
}
