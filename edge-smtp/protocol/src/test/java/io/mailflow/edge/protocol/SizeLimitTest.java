package io.mailflow.edge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SizeLimitTest {

  private static final SmtpConfig SMALL = SessionProbe.CONFIG.withMaxMessageSize(10);

  @Test
  void messageAtLimitIsAccepted() {
    SessionProbe probe = SessionProbe.inTransaction(SMALL).send("DATA\r\n12345678\r\n.\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void messageOverLimitIsReadToItsEndThenRefused() {
    SessionProbe probe = SessionProbe.inTransaction(SMALL).send("DATA\r\n123456789\r\n.\r\nNOOP\r\n");
    assertEquals(List.of("354 Start mail input; end with <CRLF>.<CRLF>",
        "552 5.3.4 Message size exceeds fixed maximum message size", "250 2.0.0 OK"), probe.texts());
    assertTrue(probe.messages.isEmpty());
  }

  @Test
  void dotStuffingIsNotCountedAgainstLimit() {
    SessionProbe probe = SessionProbe.inTransaction(SMALL).send("DATA\r\n..234567\r\n.\r\n");
    assertEquals(250, probe.last().code());
  }

  @Test
  void oversizeMessageDoesNotGrowMemory() {
    MessageBuffer buffer = new MessageBuffer(1024, new byte[0]);
    byte[] megabyte = new byte[1024 * 1024];
    for (int i = 0; i < 50; i++) {
      buffer.write(megabyte, 0, megabyte.length);
    }
    assertTrue(buffer.exceeded());
    assertEquals(50L * 1024 * 1024, buffer.clientOctets());
    assertEquals(0, buffer.finish().size(), "what was stored is dropped once the limit is passed");
  }

  @Test
  void largeMessageIsStoredExactly() {
    MessageBuffer buffer = new MessageBuffer(Long.MAX_VALUE, "H\r\n".getBytes());
    byte[] block = new byte[100_000];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) i;
    }
    for (int i = 0; i < 30; i++) {
      buffer.write(block, 0, block.length);
      buffer.write('!');
    }
    MessageContent content = buffer.finish();
    assertEquals(3 + 30 * 100_001, content.size());
    byte[] all = content.toByteArray();
    assertEquals('!', all[3 + 100_000]);
    assertEquals((byte) 99_999, all[3 + 30 * 100_001 - 2]);
    assertEquals("H\r\n", new String(content.head(3)));
  }
}
