package io.mailflow.edge.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ConnectionLimits - counts one receive connector's open sessions, in all and per client IP
 * (Exchange's MaxInboundConnection and MaxInboundConnectionPerSource). Shared by the connector's
 * listeners, which may run on different event loops: lock-free counters.
 */
final class ConnectionLimits {
  private final int maxTotal;
  private final int maxPerSource;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, Integer> perSource = new ConcurrentHashMap<>();

  ConnectionLimits(int maxTotal, int maxPerSource) {
    this.maxTotal = maxTotal;
    this.maxPerSource = maxPerSource;
  }

  /** Counts a new session from {@code source}; false (and nothing counted) when either limit is reached. */
  boolean tryOpen(String source) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return false;
    }
    boolean[] admitted = {false};
    perSource.compute(source, (k, n) -> {
      int count = n == null ? 0 : n;
      admitted[0] = count < maxPerSource;
      return admitted[0] ? count + 1 : (count == 0 ? null : count);
    });
    if (!admitted[0]) {
      total.decrementAndGet();
    }
    return admitted[0];
  }

  /** Forgets a session counted by {@link #tryOpen}. */
  void closed(String source) {
    perSource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }

  int open() {
    return total.get();
  }
}
