package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class SourceContextTest {

  @Test
  void anAttemptIsNumberedFromTheCopysAttemptsSoFarAndListsWhatHappenedInOrder() {
    SourceContext c = SourceContext.attempt(1, "SmartHostConnectorDelivery/fabrikam.test")
        .with("tried 127.0.0.1:25").with("remote said 250 2.0.0 ok");
    assertEquals("attempt 2; next hop SmartHostConnectorDelivery/fabrikam.test; tried 127.0.0.1:25;"
        + " remote said 250 2.0.0 ok", c.toString());
  }

  @Test
  void aHeldCopyIsQueuedNotAttemptedWithWhatWasSaidBeforeKept() {
    SourceContext held = SourceContext.attempt(3, "DB01").with("body unavailable").queued().with("no attempt");
    assertFalse(held.attempted());
    assertEquals("queued; next hop DB01; body unavailable; no attempt", held.toString());
  }

  @Test
  void partsAddedLaterDoNotChangeTheEarlierContext() {
    SourceContext before = SourceContext.attempt(0, "k");
    before.with("deferred to mail.retry.1m.v1 until 2026-01-01T00:00:00Z");
    assertEquals("attempt 1; next hop k", before.toString());
  }
}
