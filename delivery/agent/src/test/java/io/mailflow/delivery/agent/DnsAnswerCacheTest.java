package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DnsAnswerCacheTest {

  /** A clock the test moves. */
  private static final class Hands extends Clock {
    Instant now = Instant.parse("2026-11-23T10:00:00Z");

    @Override public ZoneId getZone() { return ZoneId.of("UTC"); }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }

  @Test
  void anAnswerIsServedUntilItsTtlRunsOut() {
    Hands clock = new Hands();
    DnsAnswerCache<String> cache = new DnsAnswerCache<>(clock, 10);
    cache.put("contoso.test", "mx1", Duration.ofSeconds(300));
    clock.now = clock.now.plusSeconds(299);
    assertEquals(Optional.of("mx1"), cache.get("contoso.test"));
    clock.now = clock.now.plusSeconds(1);
    assertEquals(Optional.empty(), cache.get("contoso.test"));
    assertEquals(0, cache.size(), "an expired answer is dropped when asked for");
  }

  @Test
  void aZeroTtlMeansDoNotCache() {
    DnsAnswerCache<String> cache = new DnsAnswerCache<>(new Hands(), 10);
    cache.put("a.test", "x", Duration.ZERO);
    assertEquals(Optional.empty(), cache.get("a.test"));
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedAnswerGoes() {
    DnsAnswerCache<String> cache = new DnsAnswerCache<>(new Hands(), 2);
    cache.put("a.test", "a", Duration.ofMinutes(5));
    cache.put("b.test", "b", Duration.ofMinutes(5));
    cache.get("a.test"); // a used after b
    cache.put("c.test", "c", Duration.ofMinutes(5));
    assertEquals(2, cache.size());
    assertEquals(Optional.of("a"), cache.get("a.test"));
    assertEquals(Optional.empty(), cache.get("b.test"));
    assertEquals(Optional.of("c"), cache.get("c.test"));
  }

  @Test
  void atLeastOneEntry() {
    assertThrows(IllegalArgumentException.class, () -> new DnsAnswerCache<String>(new Hands(), 0));
  }
}
