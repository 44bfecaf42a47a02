package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyTest {

  // from the edge's ReplyTest: how a reply goes onto the wire

  @Test
  void multiLineReplyUsesHyphensAndRepeatsEnhancedCode() {
    SmtpReply r = new SmtpReply(550, "5.1.1", List.of("first", "second"));
    assertEquals("550-5.1.1 first\r\n550 5.1.1 second\r\n", r.render());
  }

  @Test
  void replyWithoutEnhancedCode() {
    assertEquals("354 go\r\n", SmtpReply.of(354, "", "go").render());
  }

  @Test
  void missingEnhancedCodeIsTheEmptyStringNeverNull() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> SmtpReply.of(354, null, "go"));
    assertTrue(e.getMessage().contains("use \"\" for none"), e.getMessage());
  }

  @Test
  void enhancedCodeClassMustMatchReplyCode() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(250, "5.0.0", "x"));
    assertEquals("enhanced status code '5.0.0' does not fit reply code 250", e.getMessage());
  }

  @Test
  void textWithNewlineCannotReachTheWire() {
    SmtpReply sneaky = SmtpReply.of(250, "", "a\r\n250 injected");
    assertThrows(IllegalArgumentException.class, sneaky::render);
    assertThrows(IllegalArgumentException.class, sneaky::bytes);
    assertThrows(IllegalArgumentException.class, () -> new SmtpReply(250, "", List.of("ok", "b\n")).toWireLines());
  }

  @Test
  void bytesAreUtf8() {
    assertEquals("250 zoë\r\n", new String(SmtpReply.of(250, "", "zoë").bytes(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void onlyServiceClosingRepliesCloseTheSession() {
    assertTrue(SmtpReply.of(221, "2.0.0", "bye").closesSession());
    assertTrue(SmtpReply.of(421, "4.3.2", "shutting down").closesSession());
    assertTrue(!SmtpReply.of(550, "5.0.0", "no").closesSession());
  }

  @Test
  void toStringIsTheOneLineForm() {
    assertEquals("421 4.3.2 Service shutting down come back later",
        new SmtpReply(421, "4.3.2", List.of("Service shutting down", "come back later")).toString());
    assertEquals("250", SmtpReply.of(250, "", "").line());
  }

  // from schemas/dsn's DiagnosticReplyTest: reading the one-line form back

  @Test
  void aTrackingStatusLineIsReadIntoCodeStatusAndText() {
    SmtpReply reply = SmtpReply.parse("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found");
    assertEquals(550, reply.code());
    assertEquals("5.1.1", reply.enhancedStatus());
    assertEquals("RESOLVER.ADR.ExRecipNotFound; not found", reply.text());
    assertEquals("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", reply.line());
  }

  @Test
  void aStatusOfAnotherClassThanTheCodeStaysText() {
    SmtpReply reply = SmtpReply.parse("550 4.4.7 QUEUE.Expired; message expired");
    assertEquals("", reply.enhancedStatus());
    assertEquals("4.4.7 QUEUE.Expired; message expired", reply.text());
  }

  @Test
  void twoDigitStatusDetailIsKept() {
    assertEquals("5.7.60", SmtpReply.parse("550 5.7.60 SMTP; Client does not have permissions").enhancedStatus());
  }

  @Test
  void aCodeAloneOrACodeAndStatusAloneAreReplies() {
    assertEquals(SmtpReply.of(250, "", ""), SmtpReply.parse("250"));
    assertEquals(SmtpReply.of(250, "2.0.0", ""), SmtpReply.parse("250 2.0.0"));
  }

  @Test
  void aLineWithoutACodeIsRefusedWithTheLineQuoted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmtpReply.parse("not found"));
    assertTrue(e.getMessage().contains("'not found'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.parse("5501 5.1.1 x"));
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.parse("150 x"));
  }

  @Test
  void theOneLineFormRoundTrips() {
    for (SmtpReply reply : List.of(SmtpReply.of(550, "5.1.1", "User unknown"), SmtpReply.of(451, "", "later"),
        SmtpReply.of(550, "", "4.4.7 QUEUE.Expired; message expired"))) {
      assertEquals(reply, SmtpReply.parse(reply.line()));
    }
  }
}
