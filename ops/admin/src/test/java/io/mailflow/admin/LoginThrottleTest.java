package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** LoginThrottle on a hand-moved clock: free failures, a doubling lockout with a cap, forgetting. */
class LoginThrottleTest {
  private Instant now = Instant.parse("2026-12-07T12:00:00Z");
  private final LoginThrottle throttle = new LoginThrottle(new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  });

  private void fail(int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed("192.0.2.1");
    }
  }

  @Test
  void theFirstFourFailuresCostNothingTheFifthLocksOutForThirtySeconds() {
    fail(LoginThrottle.FREE_FAILURES - 1);
    assertEquals(Duration.ZERO, throttle.wait("192.0.2.1"));
    fail(1);
    assertEquals(LoginThrottle.FIRST_LOCKOUT, throttle.wait("192.0.2.1"));
    assertEquals(Duration.ZERO, throttle.wait("192.0.2.2"), "other addresses are not held");
    now = now.plusSeconds(10);
    assertEquals(Duration.ofSeconds(20), throttle.wait("192.0.2.1"));
  }

  @Test
  void eachFurtherFailureDoublesTheLockoutUpToFifteenMinutes() {
    fail(LoginThrottle.FREE_FAILURES + 1);
    assertEquals(Duration.ofSeconds(60), throttle.wait("192.0.2.1"));
    fail(1);
    assertEquals(Duration.ofSeconds(120), throttle.wait("192.0.2.1"));
    fail(20);
    assertEquals(LoginThrottle.MAX_LOCKOUT, throttle.wait("192.0.2.1"));
  }

  @Test
  void aSuccessOrFifteenQuietMinutesForgetTheFailures() {
    fail(LoginThrottle.FREE_FAILURES - 1);
    throttle.succeeded("192.0.2.1");
    fail(1);
    assertEquals(Duration.ZERO, throttle.wait("192.0.2.1"), "counting starts again after a success");

    fail(LoginThrottle.FREE_FAILURES - 2); // four in all since the success
    now = now.plus(LoginThrottle.MEMORY).plusSeconds(1);
    fail(1);
    assertEquals(Duration.ZERO, throttle.wait("192.0.2.1"), "old failures are forgotten");
  }
}
