package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

  @Test
  void multiLineReplyUsesHyphensAndRepeatsEnhancedCode() {
    Reply r = new Reply(550, "5.1.1", List.of("first", "second"));
    assertEquals("550-5.1.1 first\r\n550 5.1.1 second\r\n", r.render());
  }

  @Test
  void replyWithoutEnhancedCode() {
    assertEquals("354 go\r\n", Reply.of(354, null, "go").render());
  }

  @Test
  void enhancedCodeClassMustMatchReplyCode() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.of(250, "5.0.0", "x"));
    assertEquals("enhanced status code '5.0.0' does not fit reply code 250", e.getMessage());
  }

  @Test
  void textWithNewlineIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Reply.of(250, null, "a\r\n250 injected"));
  }

  @Test
  void denyNeedsPermanentAndDenySoftTransientReply() {
    assertThrows(IllegalArgumentException.class, () -> HookResult.deny(Reply.of(451, "4.0.0", "x")));
    assertThrows(IllegalArgumentException.class, () -> HookResult.denySoft(Reply.of(550, "5.0.0", "x")));
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
