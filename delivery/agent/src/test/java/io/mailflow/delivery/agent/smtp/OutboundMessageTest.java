package io.mailflow.delivery.agent.smtp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundMessageTest {

  private static final byte[] BODY = "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void aRecipientThatWouldInjectACommandIsRefusedByPosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutboundMessage.of("a@x.test", List.of("ok@x.test", "b@x.test>\r\nRSET"), BODY));
    assertTrue(e.getMessage().startsWith("recipient 1 "), e.getMessage());
  }

  @Test
  void aSenderWithALineBreakIsRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> OutboundMessage.of("a@x.test\nMAIL", List.of("b@x.test"), BODY)).getMessage().startsWith("sender "));
  }

  @Test
  void aMessageNeedsRecipients() {
    assertThrows(IllegalArgumentException.class, () -> OutboundMessage.of("a@x.test", List.of(), BODY));
    assertThrows(IllegalArgumentException.class, () -> OutboundMessage.of("a@x.test", List.of(""), BODY));
  }

  @Test
  void eightBitnessIsReadFromTheBytes() {
    assertFalse(OutboundMessage.of("", List.of("b@x.test"), BODY).eightBit());
    assertTrue(OutboundMessage.of("", List.of("b@x.test"), "\u00e9".getBytes(StandardCharsets.UTF_8)).eightBit());
  }

  @Test
  void optionsRefuseNonsenseByName() {
    SmtpClientOptions options = new SmtpClientOptions();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> options.setReplyTimeout(Duration.ZERO))
        .getMessage().contains("replyTimeout"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> options.setHeloName("two words"))
        .getMessage().contains("heloName"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> options.setMaxReplyLineLength(100))
        .getMessage().contains("maxReplyLineLength"));
  }
}
