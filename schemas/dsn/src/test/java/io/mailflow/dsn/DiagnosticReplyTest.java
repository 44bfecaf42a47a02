package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DiagnosticReplyTest {

  @Test
  void aTrackingStatusLineIsReadIntoCodeStatusAndText() {
    DiagnosticReply reply = DiagnosticReply.parse("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found");
    assertEquals(550, reply.code());
    assertEquals("5.1.1", reply.enhancedStatus());
    assertEquals("RESOLVER.ADR.ExRecipNotFound; not found", reply.text());
    assertEquals("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", reply.line());
  }

  @Test
  void aStatusOfAnotherClassThanTheCodeStaysText() {
    DiagnosticReply reply = DiagnosticReply.parse("550 4.4.7 QUEUE.Expired; message expired");
    assertEquals("", reply.enhancedStatus());
    assertEquals("4.4.7 QUEUE.Expired; message expired", reply.text());
    assertEquals("4.4.7", new DsnRecipient("a@x.test", null, DsnAction.FAILED, reply, null).status());
  }

  @Test
  void twoDigitStatusDetailIsKept() {
    DiagnosticReply reply = DiagnosticReply.parse("550 5.7.60 SMTP; Client does not have permissions to send as this sender");
    assertEquals("5.7.60", new DsnRecipient("a@x.test", null, DsnAction.FAILED, reply, null).status());
  }

  @Test
  void aLineWithoutACodeIsRefusedWithTheLineQuoted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DiagnosticReply.parse("not found"));
    assertTrue(e.getMessage().contains("'not found'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DiagnosticReply.parse("5501 5.1.1 x"));
    assertThrows(IllegalArgumentException.class, () -> DiagnosticReply.parse("150 x"));
  }
}
