package io.mailflow.delivery.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  /** Exchange 2019's Set-TransportService defaults (the organization's TransportService holds them). */
  private final RetrySchedule exchange = RetrySchedule.withExchangeGlitchRetries(6, Duration.ofMinutes(5),
      Duration.ofMinutes(15), Duration.ofMinutes(10), Duration.ofHours(4), Duration.ofDays(2));

  @Test
  void fourGlitchRetriesAtOneMinuteThenSixAtFiveThenEveryFifteen() {
    for (int failed = 1; failed <= 4; failed++) {
      assertEquals(Duration.ofMinutes(1), exchange.delayAfter(failed), "after failure " + failed);
    }
    for (int failed = 5; failed <= 10; failed++) {
      assertEquals(Duration.ofMinutes(5), exchange.delayAfter(failed), "after failure " + failed);
    }
    assertEquals(Duration.ofMinutes(15), exchange.delayAfter(11));
    assertEquals(Duration.ofMinutes(15), exchange.delayAfter(500));
  }

  @Test
  void messagesExpireAfterTwoDaysAndAnnounceDelayAfterFourHours() {
    Instant received = Instant.parse("2025-01-01T00:00:00Z");
    assertFalse(exchange.expired(received, received.plus(Duration.ofHours(47))));
    assertTrue(exchange.expired(received, received.plus(Duration.ofDays(2))));
    assertFalse(exchange.delayNotificationDue(received, received.plus(Duration.ofMinutes(239))));
    assertTrue(exchange.delayNotificationDue(received, received.plus(Duration.ofHours(4))));
  }

  @Test
  void attemptsAreCountedFromOne() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> exchange.delayAfter(0))
        .getMessage().contains("failedAttempts"));
  }

  @Test
  void nonPositiveIntervalsAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(
        4, Duration.ZERO, 6, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(10),
        Duration.ofHours(4), Duration.ofDays(2)));
    assertTrue(e.getMessage().contains("glitchRetryInterval"), e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(
        -1, Duration.ofMinutes(1), 6, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(10),
        Duration.ofHours(4), Duration.ofDays(2))).getMessage().contains("glitchRetryCount"));
  }

  @Test
  void anUnreachableQueueRetriesAtGlitchThenTransientIntervalsThenEveryTenMinutes() {
    assertEquals(Duration.ofMinutes(1), exchange.queueRetryDelayAfter(1));
    assertEquals(Duration.ofMinutes(1), exchange.queueRetryDelayAfter(4));
    assertEquals(Duration.ofMinutes(5), exchange.queueRetryDelayAfter(10));
    assertEquals(Duration.ofMinutes(10), exchange.queueRetryDelayAfter(11));
    assertThrows(IllegalArgumentException.class, () -> exchange.queueRetryDelayAfter(0));
  }

  @Test
  void anExpiredMessageFailsWith447AndItsLastError() {
    SmtpReply reply = exchange.expiredReply(SmtpReply.of(421, "4.2.1", "Unable to connect"));
    assertEquals(550, reply.code());
    assertEquals("550 4.4.7 QUEUE.Expired; message expired [Message=421 4.2.1 Unable to connect]", reply.toString());
  }

  @Test
  void configuredSettingsFollowTheFixedGlitchTier() {
    RetrySchedule s = RetrySchedule.withExchangeGlitchRetries(2, Duration.ofSeconds(30), Duration.ofMinutes(3),
        Duration.ofMinutes(7), Duration.ofHours(1), Duration.ofHours(6));
    for (int failed = 1; failed <= 4; failed++) {
      assertEquals(Duration.ofMinutes(1), s.delayAfter(failed), "glitch retries stay 4 at 1 min: " + failed);
    }
    assertEquals(Duration.ofSeconds(30), s.delayAfter(5));
    assertEquals(Duration.ofSeconds(30), s.delayAfter(6));
    assertEquals(Duration.ofMinutes(3), s.delayAfter(7));
    assertEquals(Duration.ofMinutes(7), s.queueRetryDelayAfter(7));
    Instant received = Instant.parse("2025-01-01T00:00:00Z");
    assertFalse(s.expired(received, received.plus(Duration.ofMinutes(359))));
    assertTrue(s.expired(received, received.plus(Duration.ofHours(6))));
    assertTrue(s.delayNotificationDue(received, received.plus(Duration.ofHours(1))));
    assertEquals("550 4.4.7 QUEUE.Expired; message expired", s.expiredReply(null).toString());
  }

  @Test
  void zeroTransientAttemptsGoStraightFromGlitchRetriesToTheMessageRetryInterval() {
    RetrySchedule s = RetrySchedule.withExchangeGlitchRetries(0, Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofMinutes(10), Duration.ofHours(4), Duration.ofDays(2));
    assertEquals(Duration.ofMinutes(1), s.delayAfter(4));
    assertEquals(Duration.ofMinutes(15), s.delayAfter(5));
    assertEquals(Duration.ofMinutes(10), s.queueRetryDelayAfter(5));
  }

  @Test
  void transportSettingsKeepAShrunkGlitchTier() {
    RetrySchedule shrunk = new RetrySchedule(4, Duration.ofMillis(300), 6, Duration.ofMillis(300),
        Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofHours(4), Duration.ofDays(2))
        .withTransportSettings(1, Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4),
            Duration.ofSeconds(5), Duration.ofSeconds(6));
    assertEquals(new RetrySchedule(4, Duration.ofMillis(300), 1, Duration.ofSeconds(2), Duration.ofSeconds(3),
        Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(6)), shrunk);
  }
}
