package io.mailflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TrackingFeed's poll: an idle feed wakes only for what is due (issue 13, idle cost). */
class TrackingFeedPollTest {
  private static final long NOW = 1_000_000_000_000L;

  private static long in(Duration d) {
    return NOW + d.toNanos();
  }

  @Test
  void idleFeedSleepsUntilItsHousekeeping() {
    assertEquals(Duration.ofSeconds(40), TrackingFeed.pollTimeout(NOW, null, null, in(Duration.ofSeconds(40))));
  }

  @Test
  void eventsTakenMakeTheFeedWakeForTheirRefresh() {
    assertEquals(Duration.ofMillis(300),
        TrackingFeed.pollTimeout(NOW, in(Duration.ofMillis(800)), in(Duration.ofMillis(300)), in(Duration.ofSeconds(40))));
  }

  @Test
  void aCommitDueBeforeTheRefreshComesFirst() {
    assertEquals(Duration.ofMillis(100),
        TrackingFeed.pollTimeout(NOW, in(Duration.ofMillis(100)), in(Duration.ofMillis(300)), in(Duration.ofSeconds(40))));
  }

  @Test
  void somethingOverdueMeansNoWait() {
    assertEquals(Duration.ZERO, TrackingFeed.pollTimeout(NOW, in(Duration.ofSeconds(-2)), null, in(Duration.ofSeconds(40))));
    assertEquals(Duration.ZERO, TrackingFeed.pollTimeout(NOW, null, null, in(Duration.ofSeconds(-1))));
  }

  @Test
  void neverLongerThanTheIdlePoll() {
    assertEquals(TrackingFeed.IDLE_POLL, TrackingFeed.pollTimeout(NOW, null, null, in(Duration.ofHours(2))));
  }
}
