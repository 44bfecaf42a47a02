package io.mailflow.admin;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * OnDemand - something costly that runs only while it is used: started by the first {@link #get}, closed once
 * nobody asked for it for {@code idle}, started again by the next {@link #get}.
 *
 * <p>The admin server's {@link MessageIndex} is one: it reads every copy that enters a delivery queue, which costs a
 * busy pipeline about a tenth of its CPU, while most processes are never asked about their queues. So no process
 * pays for it until an administrator (the console, the API) asks, and an open console keeps it running; the first
 * answer after a pause waits for the index to catch up (about 1.5 s for 100,000 queued copies).
 */
final class OnDemand<T extends AutoCloseable> implements AutoCloseable {
  /** How long the index runs after its last use. */
  static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

  private final Supplier<T> start;
  private final long idleNanos;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService reaper;
  private T running;
  private long lastUse;
  private boolean closed;

  OnDemand(String name, Supplier<T> start, Duration idle) {
    this(start, idle, System::nanoTime, name);
  }

  /** With a clock of its own (tests); the reaper looks every tenth of {@code idle}, at least once a second. */
  OnDemand(Supplier<T> start, Duration idle, LongSupplier nanoTime, String name) {
    this.start = start;
    this.idleNanos = idle.toNanos();
    this.nanoTime = nanoTime;
    this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "on-demand-" + name);
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1000, idle.toMillis() / 10);
    reaper.scheduleWithFixedDelay(this::closeIfIdle, every, every, TimeUnit.MILLISECONDS);
  }

  /** The running thing, started now if it was not running; counts as a use. */
  synchronized T get() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (running == null) {
      running = start.get();
    }
    lastUse = nanoTime.getAsLong();
    return running;
  }

  /** Whether it runs now (for tests and the README's claim that an unasked process pays nothing). */
  synchronized boolean isRunning() {
    return running != null;
  }

  /** Closes it when it has not been used for the idle time (the reaper calls this; tests may too). */
  synchronized void closeIfIdle() {
    if (running != null && nanoTime.getAsLong() - lastUse >= idleNanos) {
      stop();
    }
  }

  private void stop() {
    T r = running;
    running = null;
    try {
      r.close();
    } catch (Exception e) {
      // closing a reader: nothing to do about it, and the next use starts a new one
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    reaper.shutdownNow();
    if (running != null) {
      stop();
    }
  }
}
