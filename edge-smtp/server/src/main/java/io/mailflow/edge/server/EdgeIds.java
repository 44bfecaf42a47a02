package io.mailflow.edge.server;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * EdgeIds - the identifiers the edge hands out: protocol-log session ids (16 hex digits, as
 * Exchange's) and internal message ids (a number unique on this server, Exchange's InternalId).
 * Both start at a random / time-based point so a restart does not reuse them.
 */
final class EdgeIds {
  private final AtomicLong session = new AtomicLong(new SecureRandom().nextLong() & 0x7fff_ffff_0000_0000L);
  private final AtomicLong internal;

  EdgeIds(long nowMillis) {
    this.internal = new AtomicLong(nowMillis * 1000);
  }

  String nextSessionId() {
    return String.format("%016X", session.incrementAndGet());
  }

  long nextInternalId() {
    return internal.incrementAndGet();
  }
}
