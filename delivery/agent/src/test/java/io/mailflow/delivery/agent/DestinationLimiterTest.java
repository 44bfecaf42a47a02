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
  void maxOutboundConnectionsCapsAllDestinationsTogether() {
    DestinationLimiter limiter = new DestinationLimiter(2, 3);
    Future<Void> a1 = limiter.acquire("a:25");
    Future<Void> a2 = limiter.acquire("a:25");
    Future<Void> b1 = limiter.acquire("b:25");
    Future<Void> c1 = limiter.acquire("c:25");
    assertTrue(a1.succeeded() && a2.succeeded() && b1.succeeded());
    assertFalse(c1.isComplete(), "a fourth session anywhere waits: 3 in all");

    limiter.release("a:25");
    assertTrue(c1.succeeded(), "a slot freed at one destination goes to a session waiting for another");
    assertEquals(1, limiter.active("a:25"));
    Future<Void> b2 = limiter.acquire("b:25");
    assertFalse(b2.isComplete());
    limiter.release("c:25");
    assertTrue(b2.succeeded());
  }

  @Test
  void aSessionWaitingForItsDestinationHoldsNoSlotOfTheTotal() {
    DestinationLimiter limiter = new DestinationLimiter(1, 2);
    limiter.acquire("a:25");
    Future<Void> a2 = limiter.acquire("a:25");
    assertFalse(a2.isComplete());
    assertTrue(limiter.acquire("b:25").succeeded(), "the waiting a:25 session does not count against the total");
  }

  @Test
  void atLeastOneOutboundConnectionInAll() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new DestinationLimiter(1, 0))
        .getMessage().contains("maxOutboundConnections"));
  }

  @Test
  void atLeastOneConnectionPerDestination() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new DestinationLimiter(0))
        .getMessage().contains("maxPerDestination"));
  }
}
