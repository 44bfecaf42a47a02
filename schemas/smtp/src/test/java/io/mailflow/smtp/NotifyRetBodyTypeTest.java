package io.mailflow.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
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

  @Test
  void notifyWithoutSuccessFollowsRfc3461() {
    // moved from categorizer/core's ForwardingAndReportsTest with the helper
    assertEquals(List.of(Notify.NEVER), Notify.withoutSuccess(List.of(Notify.SUCCESS)));
    assertEquals(List.of(), Notify.withoutSuccess(List.of()));
    assertEquals(List.of(Notify.FAILURE), Notify.withoutSuccess(List.of(Notify.SUCCESS, Notify.FAILURE)));
    assertEquals(List.of(Notify.NEVER), Notify.withoutSuccess(List.of(Notify.NEVER)));
  }

  @Test
  void normalizedNotifyIsInEnumOrderWithoutDuplicates() {
    assertEquals(List.of(Notify.SUCCESS, Notify.FAILURE),
        Notify.normalized(List.of(Notify.FAILURE, Notify.SUCCESS, Notify.FAILURE)));
    assertEquals(List.of(), Notify.normalized(List.of()));
  }
}
