package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

  @Test
  void perSourceLimitRefusesOnlyThatSourceUntilOneCloses() {
    ConnectionLimits limits = new ConnectionLimits(10, 2);
    assertTrue(limits.tryOpen("10.0.0.1"));
    assertTrue(limits.tryOpen("10.0.0.1"));
    assertFalse(limits.tryOpen("10.0.0.1"));
    assertTrue(limits.tryOpen("10.0.0.2"), "another source is not affected");
    assertEquals(3, limits.open(), "a refused connection is not counted");
    limits.closed("10.0.0.1");
    assertTrue(limits.tryOpen("10.0.0.1"));
  }

  @Test
  void totalLimitRefusesEveryoneUntilOneCloses() {
    ConnectionLimits limits = new ConnectionLimits(2, 20);
    assertTrue(limits.tryOpen("10.0.0.1"));
    assertTrue(limits.tryOpen("10.0.0.2"));
    assertFalse(limits.tryOpen("10.0.0.3"));
    assertEquals(2, limits.open());
    limits.closed("10.0.0.2");
    assertTrue(limits.tryOpen("10.0.0.3"));
  }
}
