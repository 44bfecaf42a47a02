package io.mailflow.delivery.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * DestinationLimiter - at most N connections at a time to one destination, the rest wait their turn
 * (Exchange's MaxPerDomainOutboundConnections, default 20). A poll batch can hold hundreds of records
 * for one next hop; without this each would open its own connection.
 *
 * <p>Confined to one Vert.x context: call it only from the stage's event loop.
 */
final class DestinationLimiter {

  /** Exchange's MaxPerDomainOutboundConnections default. */
  static final int DEFAULT_MAX_PER_DESTINATION = 20;

  private static final String ALL = "*";

  private final int maxPerDestination;
  /** Exchange's MaxOutboundConnections, all destinations together (one key); null: no such cap. */
  private final DestinationLimiter total;
  private final Map<String, Integer> active = new HashMap<>();
  private final Map<String, ArrayDeque<Promise<Void>>> waiting = new HashMap<>();

  DestinationLimiter(int maxPerDestination) {
    if (maxPerDestination < 1) {
      throw new IllegalArgumentException("maxPerDestination must be at least 1, got " + maxPerDestination);
    }
    this.maxPerDestination = maxPerDestination;
    this.total = null;
  }

  /**
   * At most {@code maxPerDestination} to one destination and {@code maxOutboundConnections} to all of them
   * together. A send holds its destination's slot while it waits for one of the total, never the reverse,
   * so waiting cannot go round in a circle.
   */
  DestinationLimiter(int maxPerDestination, int maxOutboundConnections) {
    if (maxPerDestination < 1) {
      throw new IllegalArgumentException("maxPerDestination must be at least 1, got " + maxPerDestination);
    }
    if (maxOutboundConnections < 1) {
      throw new IllegalArgumentException("maxOutboundConnections must be at least 1, got " + maxOutboundConnections);
    }
    this.maxPerDestination = maxPerDestination;
    this.total = new DestinationLimiter(maxOutboundConnections);
  }

  /** Completes when {@code destination} has a free slot; pair with {@link #release}. */
  Future<Void> acquire(String destination) {
    return total == null ? slot(destination) : slot(destination).compose(v -> total.acquire(ALL));
  }

  private Future<Void> slot(String destination) {
    int now = active.getOrDefault(destination, 0);
    if (now < maxPerDestination) {
      active.put(destination, now + 1);
      return Future.succeededFuture();
    }
    Promise<Void> turn = Promise.promise();
    waiting.computeIfAbsent(destination, d -> new ArrayDeque<>()).add(turn);
    return turn.future();
  }

  /** Frees a slot, handing it straight to the next waiter if there is one. */
  void release(String destination) {
    if (total != null) {
      total.release(ALL);
    }
    ArrayDeque<Promise<Void>> queue = waiting.get(destination);
    if (queue != null && !queue.isEmpty()) {
      Promise<Void> next = queue.poll();
      if (queue.isEmpty()) {
        waiting.remove(destination);
      }
      next.complete(); // the slot passes on; the active count stays
      return;
    }
    int now = active.getOrDefault(destination, 0) - 1;
    if (now <= 0) {
      active.remove(destination);
    } else {
      active.put(destination, now);
    }
  }

  /** Slots in use for {@code destination}. */
  int active(String destination) {
    return active.getOrDefault(destination, 0);
  }
}
