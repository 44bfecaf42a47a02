package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

class DestinationLimiterTest {

  @Test
  void theThirdSessionToADestinationWaitsForOneToEnd() {
    DestinationLimiter limiter = new DestinationLimiter(2);
    Future<Void> a = limiter.acquire("smarthost:25");
    Future<Void> b = limiter.acquire("smarthost:25");
    Future<Void> c = limiter.acquire("smarthost:25");
    assertTrue(a.succeeded() && b.succeeded());
    assertFalse(c.isComplete());

    limiter.release("smarthost:25");
    assertTrue(c.succeeded());
    assertEquals(2, limiter.active("smarthost:25"));
  }

  @Test
  void destinationsDoNotShareSlots() {
    DestinationLimiter limiter = new DestinationLimiter(1);
    limiter.acquire("a:25");
    assertTrue(limiter.acquire("b:25").succeeded());
  }

  @Test
  void slotsAreGivenBackWhenNobodyWaits() {
    DestinationLimiter limiter = new DestinationLimiter(1);
    limiter.acquire("a:25");
    limiter.release("a:25");
    assertEquals(0, limiter.active("a:25"));
    assertTrue(limiter.acquire("a:25").succeeded());
  }

  @Test
  void atLeastOneConnectionPerDestination() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new DestinationLimiter(0))
        .getMessage().contains("maxPerDestination"));
  }
}
