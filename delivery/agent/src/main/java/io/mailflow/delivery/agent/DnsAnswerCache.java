package io.mailflow.delivery.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * DnsAnswerCache - answers kept for as long as DNS said they may be (their TTL, capped), so a busy queue asks
 * the resolver once per domain and TTL, not once per message. Bounded: past {@code maxEntries} the least
 * recently used answer goes. Only answers are kept: a lookup that failed for now (SERVFAIL, timeout) is asked
 * again next time.
 *
 * <p>Confined to one Vert.x context (the delivery stage's): not thread-safe.
 */
final class DnsAnswerCache<V> {

  /** Entries at most; an MX route is a few hundred bytes. */
  static final int DEFAULT_MAX_ENTRIES = 10_000;

  private final Clock clock;
  private final Map<String, Entry<V>> entries;

  private record Entry<V>(V value, Instant expires) {}

  DnsAnswerCache(Clock clock, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
    }
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The answer for {@code key} if one is cached and has not expired. */
  Optional<V> get(String key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.expires())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  /** Keeps {@code value} for {@code ttl}; a TTL of zero (DNS: do not cache) or less keeps nothing. */
  void put(String key, V value, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      entries.remove(key);
      return;
    }
    entries.put(key, new Entry<>(value, clock.instant().plus(ttl)));
  }

  int size() {
    return entries.size();
  }
}
