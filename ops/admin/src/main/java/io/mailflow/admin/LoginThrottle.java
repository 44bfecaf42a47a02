package io.mailflow.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LoginThrottle - failed logins counted per client address: after {@link #FREE_FAILURES} failures the address
 * is refused (429, Retry-After) for a lockout that doubles with each further failure, from
 * {@link #FIRST_LOCKOUT} up to {@link #MAX_LOCKOUT}; a success forgets the address. Refusals cost no password
 * hash. Never waits: a refused request is answered at once.
 */
public final class LoginThrottle {
  public static final int FREE_FAILURES = 5;
  public static final Duration FIRST_LOCKOUT = Duration.ofSeconds(30);
  public static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);
  /** Failures older than this are forgotten. */
  static final Duration MEMORY = Duration.ofMinutes(15);
  /** Bounds the table against address spraying; when full, expired entries go first, then all. */
  static final int MAX_ADDRESSES = 10_000;

  private record Failures(int count, Instant last, Instant lockedUntil) {}

  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  private final Clock clock;

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code address} must still wait before it may try again; zero when it may try now. */
  public Duration wait(String address) {
    Failures f = failures.get(address);
    if (f == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), f.lockedUntil());
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Counts a failed login from {@code address}. */
  public void failed(String address) {
    Instant now = clock.instant();
    if (failures.size() >= MAX_ADDRESSES) {
      failures.values().removeIf(f -> f.last().plus(MEMORY).isBefore(now) && !f.lockedUntil().isAfter(now));
      if (failures.size() >= MAX_ADDRESSES) {
        failures.clear();
      }
    }
    failures.compute(address, (a, f) -> {
      int count = f == null || f.last().plus(MEMORY).isBefore(now) && !f.lockedUntil().isAfter(now) ? 1 : f.count() + 1;
      Instant lockedUntil = now;
      if (count >= FREE_FAILURES) {
        long factor = 1L << Math.min(20, count - FREE_FAILURES);
        Duration lockout = FIRST_LOCKOUT.multipliedBy(factor);
        lockedUntil = now.plus(lockout.compareTo(MAX_LOCKOUT) > 0 ? MAX_LOCKOUT : lockout);
      }
      return new Failures(count, now, lockedUntil);
    });
  }

  /** Forgets {@code address} after a successful login. */
  public void succeeded(String address) {
    failures.remove(address);
  }
}
