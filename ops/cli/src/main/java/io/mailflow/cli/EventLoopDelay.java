package io.mailflow.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * EventLoopDelay - how late each Vert.x event loop runs a task scheduled on it ({@code vertx.eventloop.delay},
 * a timer per loop, tag {@code loop} = its index: bounded by the number of loops). A probe is scheduled every
 * {@link #INTERVAL} on every loop; the time past its due time is what any other task on that loop waited too.
 * Anything blocking a loop shows up here first.
 *
 * <p>Costs one tiny task per loop per {@link #INTERVAL} (a second: a blocked loop still gives one long sample; every
 * 100 ms woke each idle loop ten times a second); Vert.x's internal API gives the loops themselves
 * ({@code VertxInternal.nettyEventLoopGroup()}), so every loop is measured, not whichever a context lands on.
 */
final class EventLoopDelay implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final List<Probe> probes = new ArrayList<>();

  private EventLoopDelay() {}

  static EventLoopDelay start(Vertx vertx, MeterRegistry meters) {
    EventLoopDelay delay = new EventLoopDelay();
    int index = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      Timer timer = Timer.builder("vertx.eventloop.delay").tag("loop", Integer.toString(index++))
          .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
              Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
          .description("how late a task scheduled on the event loop ran (the loop was busy or blocked)")
          .register(meters);
      Probe probe = new Probe(loop, timer);
      delay.probes.add(probe);
      probe.schedule();
    }
    return delay;
  }

  /** One loop's probe: reschedules itself, so a blocked loop gives one long sample, not a burst of catch-ups. */
  private static final class Probe implements Runnable {
    private final EventExecutor loop;
    private final Timer timer;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> next;
    private long dueNanos;

    Probe(EventExecutor loop, Timer timer) {
      this.loop = loop;
      this.timer = timer;
    }

    void schedule() {
      if (stopped || loop.isShuttingDown()) {
        return;
      }
      dueNanos = System.nanoTime() + INTERVAL.toNanos();
      next = loop.schedule(this, INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
      timer.record(Math.max(0, System.nanoTime() - dueNanos), TimeUnit.NANOSECONDS);
      schedule();
    }

    void stop() {
      stopped = true;
      ScheduledFuture<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  @Override
  public void close() {
    probes.forEach(Probe::stop);
  }
}
