package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MessageRateLimiterTest {
  /** A clock the test moves. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();

  @Test
  void userSourceLimitsEachUserPerMinuteAndNotAnonymousSessions() {
    MessageRateLimiter rate = new MessageRateLimiter(2, MessageRateSource.User, clock);
    rate.counted("10.0.0.1", "alice@contoso.test");
    rate.counted("10.0.0.2", "Alice@contoso.test");
    assertFalse(rate.allows("10.0.0.3", "alice@contoso.test"), "counted per user, whatever the IP or case");
    assertTrue(rate.allows("10.0.0.1", "bob@contoso.test"));
    assertTrue(rate.allows("10.0.0.1", null));
    clock.now = clock.now.plus(Duration.ofSeconds(59));
    assertFalse(rate.allows("10.0.0.1", "alice@contoso.test"));
    clock.now = clock.now.plus(Duration.ofSeconds(1));
    assertTrue(rate.allows("10.0.0.1", "alice@contoso.test"), "a one-minute sliding window");
  }

  @Test
  void ipSourceCountsEveryoneFromOneAddress() {
    MessageRateLimiter rate = new MessageRateLimiter(1, MessageRateSource.IPAddress, clock);
    rate.counted("10.0.0.1", "alice@contoso.test");
    assertFalse(rate.allows("10.0.0.1", null));
    assertFalse(rate.allows("10.0.0.1", "bob@contoso.test"));
    assertTrue(rate.allows("10.0.0.2", "alice@contoso.test"));
  }

  @Test
  void allSourceCountsBothUserAndAddress() {
    MessageRateLimiter rate = new MessageRateLimiter(1, MessageRateSource.All, clock);
    rate.counted("10.0.0.1", "alice@contoso.test");
    assertFalse(rate.allows("10.0.0.2", "alice@contoso.test"), "same user elsewhere");
    assertFalse(rate.allows("10.0.0.1", "bob@contoso.test"), "same address, other user");
    assertTrue(rate.allows("10.0.0.2", "bob@contoso.test"));
  }

  @Test
  void unlimitedNeverRefuses() {
    MessageRateLimiter rate = new MessageRateLimiter(ReceiveConnector.UNLIMITED, MessageRateSource.All, clock);
    for (int i = 0; i < 1000; i++) {
      rate.counted("10.0.0.1", "alice@contoso.test");
    }
    assertTrue(rate.allows("10.0.0.1", "alice@contoso.test"));
  }
}
