package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyReaderTest {

  @Test
  void singleLineReplyCarriesCodeStatusAndText() {
    SmtpReply reply = SmtpReplyReader.parse(List.of("550 5.1.1 User unknown"));
    assertEquals(550, reply.code());
    assertEquals("5.1.1", reply.enhancedStatus());
    assertEquals(List.of("User unknown"), reply.lines());
    assertEquals("550 5.1.1 User unknown", reply.toString());
  }

  @Test
  void multiLineReplyIsCompleteOnlyAtTheLineWithoutHyphen() {
    SmtpReplyReader reader = new SmtpReplyReader();
    assertNull(reader.accept("451-4.7.1 Greylisted,"));
    assertTrue(reader.inProgress());
    assertNull(reader.accept("451-4.7.1 please try"));
    SmtpReply reply = reader.accept("451 4.7.1 again later");
    assertFalse(reader.inProgress());
    assertEquals(451, reply.code());
    assertEquals("4.7.1", reply.enhancedStatus());
    assertEquals(List.of("Greylisted,", "please try", "again later"), reply.lines());
    assertEquals("451 4.7.1 Greylisted, please try again later", reply.toString());
  }

  @Test
  void aBareCodeEndsAReplyWithEmptyText() {
    SmtpReply reply = SmtpReplyReader.parse(List.of("250"));
    assertEquals(250, reply.code());
    assertEquals("", reply.enhancedStatus());
    assertEquals("250", reply.toString());
  }

  @Test
  void ehloKeywordsAreTextNotStatus() {
    SmtpReply reply = SmtpReplyReader.parse(
        List.of("250-mx.example.com Hello", "250-PIPELINING", "250-SIZE 10240000", "250 8BITMIME"));
    assertEquals("", reply.enhancedStatus());
    assertEquals(List.of("mx.example.com Hello", "PIPELINING", "SIZE 10240000", "8BITMIME"), reply.lines());
  }

  @Test
  void statusWhoseClassDiffersFromTheCodeStaysText() {
    SmtpReply reply = SmtpReplyReader.parse(List.of("250 5.0.0 odd but accepted"));
    assertEquals("", reply.enhancedStatus());
    assertEquals("5.0.0 odd but accepted", reply.text());
  }

  @Test
  void replyRoundTripsThroughItsWireLines() {
    SmtpReply reply = new SmtpReply(421, "4.3.2", List.of("Service shutting down", "come back later"));
    assertEquals(List.of("421-4.3.2 Service shutting down", "421 4.3.2 come back later"), reply.toWireLines());
    assertEquals(reply, SmtpReplyReader.parse(reply.toWireLines()));
  }

  @Test
  void lineTooShortForACodeIsNamedInTheError() {
    MalformedReplyException e = assertThrows(MalformedReplyException.class,
        () -> new SmtpReplyReader().accept("25"));
    assertTrue(e.getMessage().contains("too short") && e.getMessage().contains("'25'"), e.getMessage());
  }

  @Test
  void nonNumericOrOutOfRangeCodesAreRejected() {
    SmtpReplyReader reader = new SmtpReplyReader();
    for (String line : List.of("2x0 ok", "HTTP/1.1 400 Bad Request", "199 info", "600 what")) {
      MalformedReplyException e = assertThrows(MalformedReplyException.class, () -> reader.accept(line));
      assertTrue(e.getMessage().contains("code 200..599") && e.getMessage().contains(line), e.getMessage());
    }
  }

  @Test
  void wrongSeparatorAfterTheCodeIsRejected() {
    MalformedReplyException e = assertThrows(MalformedReplyException.class,
        () -> new SmtpReplyReader().accept("250/ok"));
    assertTrue(e.getMessage().contains("'/' after the code"), e.getMessage());
  }

  @Test
  void continuationWithAnotherCodeIsRejectedAndTheReaderStartsOver() {
    SmtpReplyReader reader = new SmtpReplyReader();
    reader.accept("250-first");
    MalformedReplyException e = assertThrows(MalformedReplyException.class, () -> reader.accept("550 second"));
    assertTrue(e.getMessage().contains("line 2 has code 550 but the reply started with 250"), e.getMessage());
    assertFalse(reader.inProgress());
    assertEquals(354, reader.accept("354 go ahead").code());
  }

  @Test
  void endlessContinuationIsCutOffAtTheLineLimit() {
    SmtpReplyReader reader = new SmtpReplyReader(3);
    reader.accept("250-a");
    reader.accept("250-b");
    MalformedReplyException e = assertThrows(MalformedReplyException.class, () -> reader.accept("250-c"));
    assertTrue(e.getMessage().contains("exceeds 3 lines"), e.getMessage());
  }

  @Test
  void parseRejectsIncompleteRepliesAndTrailingLines() {
    assertTrue(assertThrows(MalformedReplyException.class, () -> SmtpReplyReader.parse(List.of("250-a")))
        .getMessage().contains("incomplete"));
    assertTrue(assertThrows(MalformedReplyException.class,
        () -> SmtpReplyReader.parse(List.of("250 a", "250 b"))).getMessage().contains("more line(s) follow"));
  }

  @Test
  void replyValidatesItsParts() {
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(199, "", "x"));
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(600, "", "x"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(550, "4.1.1", "x"))
        .getMessage().contains("does not fit reply code 550"));
    assertThrows(IllegalArgumentException.class, () -> SmtpReply.of(550, "5.1", "x"));
    assertThrows(IllegalArgumentException.class, () -> new SmtpReply(250, "", List.of()));
  }

  @Test
  void replyKnowsItsClass() {
    assertTrue(SmtpReply.of(250, "", "").isPositive());
    assertTrue(SmtpReply.of(354, "", "").isIntermediate());
    assertTrue(SmtpReply.of(452, "", "").isTransientNegative());
    assertTrue(SmtpReply.of(554, "", "").isPermanentNegative());
  }
}
