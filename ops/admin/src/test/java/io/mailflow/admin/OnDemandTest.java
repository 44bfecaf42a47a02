package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** OnDemand with a hand-moved clock: nothing runs until asked, a use keeps it, idleness closes it, a use restarts it. */
class OnDemandTest {
  private static final Duration IDLE = Duration.ofMinutes(10);

  private static final class Reader implements AutoCloseable {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  private final AtomicLong clock = new AtomicLong();
  private final List<Reader> started = new ArrayList<>();

  private OnDemand<Reader> onDemand() {
    return new OnDemand<>(() -> {
      Reader r = new Reader();
      started.add(r);
      return r;
    }, IDLE, clock::get, "test");
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  @Test
  void nothingRunsUntilAskedThenOneInstanceServesEveryUse() {
    try (OnDemand<Reader> demand = onDemand()) {
      assertFalse(demand.isRunning());
      assertTrue(started.isEmpty(), "not started before the first use");
      Reader first = demand.get();
      advance(Duration.ofMinutes(9));
      assertSame(first, demand.get());
      assertEquals(1, started.size());
    }
  }

  @Test
  void usesKeepItRunningAndIdlenessClosesIt() {
    try (OnDemand<Reader> demand = onDemand()) {
      Reader first = demand.get();
      for (int i = 0; i < 5; i++) { // an open console asks every few seconds: never idle
        advance(Duration.ofMinutes(9));
        demand.closeIfIdle();
        assertSame(first, demand.get());
      }
      advance(IDLE);
      demand.closeIfIdle();
      assertFalse(demand.isRunning());
      assertTrue(first.closed, "closed after the idle time");

      Reader second = demand.get();
      assertNotSame(first, second, "the next use starts a new one");
      assertEquals(2, started.size());
    }
  }

  @Test
  void closeClosesWhatRunsAndRefusesLaterUses() {
    OnDemand<Reader> demand = onDemand();
    Reader r = demand.get();
    demand.close();
    assertTrue(r.closed);
    assertThrows(IllegalStateException.class, demand::get);
  }
}
