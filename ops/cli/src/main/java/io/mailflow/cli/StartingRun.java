package io.mailflow.cli;

import java.util.concurrent.TimeUnit;

/**
 * StartingRun - what the shutdown hook of {@code mailflow run} closes, registered before anything starts: the edge
 * greets clients while the rest of the node still starts, so a SIGTERM can come at any moment of the start. Before
 * this existed a stop in that gap exited without stopping the embedded broker (its next start then recovered its
 * logs as after a crash). A stop asked for during the start waits for the start to end (it cannot be cut short
 * safely: half a broker is worse than a whole one), then closes everything in order, as any other stop. The start
 * asks {@link #stopRequested()} between its steps (RunCommand, Node) and, once asked, closes what it started itself
 * and ends as failed: the stop then waits for one step of the start, not for all of it.
 */
final class StartingRun implements AutoCloseable {
  /** The longest a stop waits for a start in progress: the broker's own start is bounded by 30 s. */
  static final long START_WAIT_SECONDS = 60;

  private RunCommand.Running running;
  private boolean stopping;
  private boolean startEnded;
  private boolean closing;
  private boolean closed;

  /** The start succeeded; false when a stop was asked meanwhile (the stopping thread closes it then). */
  synchronized boolean started(RunCommand.Running started) {
    running = started;
    startEnded = true;
    notifyAll();
    return !stopping;
  }

  /** Whether a stop has been asked: the start then closes what it started instead of going on. */
  synchronized boolean stopRequested() {
    return stopping;
  }

  /** The start failed: nothing to close. */
  synchronized void failed() {
    startEnded = true;
    notifyAll();
  }

  /**
   * Closes the node, waiting first for a start in progress; called by the shutdown hook and by the main thread when
   * the run ends. Whoever comes second waits until the first has finished closing: the JVM halts as soon as the hook
   * returns, so the hook must not return while the main thread is still stopping the broker.
   */
  @Override
  public void close() throws Exception {
    RunCommand.Running toClose;
    synchronized (this) {
      stopping = true;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_WAIT_SECONDS);
      while (!startEnded && System.nanoTime() < deadline) {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      if (closing) {
        while (!closed) {
          wait();
        }
        return;
      }
      closing = true;
      toClose = running;
      running = null;
    }
    try {
      if (toClose != null) {
        toClose.close();
      }
    } finally {
      synchronized (this) {
        closed = true;
        notifyAll();
      }
    }
  }
}
