package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector.AuthFailureLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * AuthFailureLedger - failed AUTH attempts of one receive connector counted across its sessions, per client
 * IP and per account ({@link AuthFailureLimits}): past the tarpit threshold a failed attempt's 535 is held
 * back, past the refusal threshold AUTH from that client IP is answered 454 4.7.0 until the window has passed
 * since its last failure.
 *
 * <p>Only the client IP is ever refused. An account under attack from many addresses only slows the
 * attackers' failed replies: refusing per account would let anyone lock a mailbox out, and its owner, from a
 * clean address, must still get in at once (a right password is never held back).
 *
 * <p>Bounded: at most {@code capacity} entries, the least recently touched dropped first (an attacker
 * inventing user names pushes out quiet entries, never its own busy IP's). An entry is forgotten
 * {@code window} after its last failure. Shared by the connector's listeners on several event loops; every
 * operation is a few map steps under one lock, never a wait.
 */
final class AuthFailureLedger {
  /** Entries kept at most: some 100 bytes each, so a few MB whatever an attacker sends. */
  static final int DEFAULT_CAPACITY = 50_000;
  /** A longer user name is counted by its first characters (RFC 5321's 320-octet address limit). */
  private static final int MAX_ACCOUNT_LENGTH = 320;

  private final AuthFailureLimits limits;
  private final Clock clock;
  private final Map<String, Entry> entries;

  private static final class Entry {
    int failures;
    long last;
  }

  AuthFailureLedger(AuthFailureLimits limits, int capacity, Clock clock) {
    this.limits = limits;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * What one failed attempt made of its client IP and account.
   *
   * @param fromSource failures from the client IP within the window, this one included
   * @param onAccount failures against the account within the window, this one included
   * @param tarpit whether the failure's reply is held back (either count reached the tarpit threshold)
   */
  record Failure(int fromSource, int onAccount, boolean tarpit) {}

  /**
   * How long AUTH from {@code clientIp} is still refused (its failures reached the refusal threshold);
   * empty when it may try.
   */
  Optional<Duration> refusal(String clientIp) {
    if (limits.refusalThreshold() == 0) {
      return Optional.empty();
    }
    long now = clock.millis();
    synchronized (entries) {
      Entry e = entries.get(sourceKey(clientIp));
      if (e == null || expired(e, now) || e.failures < limits.refusalThreshold()) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis(e.last + limits.window().toMillis() - now));
    }
  }

  /** Counts a failed attempt from {@code clientIp} as {@code account} (any spelling of it: case is ignored). */
  Failure failed(String clientIp, String account) {
    long now = clock.millis();
    synchronized (entries) {
      int fromSource = count(sourceKey(clientIp), now);
      int onAccount = count(accountKey(account), now);
      int threshold = limits.tarpitThreshold();
      return new Failure(fromSource, onAccount, threshold > 0 && (fromSource > threshold || onAccount > threshold));
    }
  }

  /** Entries held now, expired ones included until they are touched or pushed out. */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private int count(String key, long now) {
    Entry e = entries.computeIfAbsent(key, k -> new Entry());
    if (expired(e, now)) {
      e.failures = 0;
    }
    e.failures++;
    e.last = now;
    return e.failures;
  }

  private boolean expired(Entry e, long now) {
    return now - e.last >= limits.window().toMillis();
  }

  private static String sourceKey(String clientIp) {
    return "ip:" + clientIp;
  }

  private static String accountKey(String account) {
    String a = account.length() > MAX_ACCOUNT_LENGTH ? account.substring(0, MAX_ACCOUNT_LENGTH) : account;
    return "account:" + a.toLowerCase(Locale.ROOT);
  }
}
