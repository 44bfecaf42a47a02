package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NotifyRetBodyTypeTest {

  @Test
  void bodyKeywordsReadCaseInsensitively() {
    assertEquals(BodyType.EIGHT_BIT_MIME, BodyType.fromKeyword("8bitmime"));
    assertEquals(BodyType.BINARY_MIME, BodyType.fromKeyword("BinaryMIME"));
    assertEquals("7BIT", BodyType.SEVEN_BIT.keyword());
    assertNull(BodyType.fromKeyword("9BIT"));
  }

  @Test
  void notifyAndRetHaveRfc3461sKeywordsAsNames() {
    // the edge parses NOTIFY= and RET= by name, and the Avro enums map by name
    assertEquals(Notify.DELAY, Notify.valueOf("DELAY"));
    assertEquals(4, Notify.values().length);
    assertEquals(Ret.HDRS, Ret.valueOf("HDRS"));
  }
}
