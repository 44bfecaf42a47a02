package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoisonIdTest {

  @Test
  void anIdIsItsPartitionAndOffsetAndReadsBackAsWritten() {
    PoisonId id = PoisonId.parse("1:42");
    assertEquals(new PoisonId(1, 42), id);
    assertEquals("1:42", id.toString());
    assertEquals(new PoisonId(999_999_999, 999_999_999_999_999_999L), PoisonId.parse("999999999:999999999999999999"));
  }

  @Test
  void anythingElseIsRefusedSayingWhatAnIdLooksLike() {
    for (String bad : List.of("", "1", "1:", ":1", "-1:0", "1:-1", "1:2:3", "a:1", " 1:1", "1:1 ", "1.5:2",
        "1234567890:0", "0:1234567890123456789")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoisonId.parse(bad), bad);
      assertTrue(e.getMessage().contains("<partition>:<offset>"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> PoisonId.parse(null));
  }
}
