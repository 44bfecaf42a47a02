package io.mailflow.admin;

import io.mailflow.organization.Administrator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions - the web console's logins, in this process's memory: a random session id (the {@value #COOKIE}
 * cookie) names an administrator and a CSRF token until it has been idle for {@link #IDLE} or has lived for
 * {@link #ABSOLUTE}, whichever comes first, or until logout. A console talks to the one process that served it,
 * so nothing is shared between processes, and a restart logs everyone out.
 */
final class Sessions {
  static final String COOKIE = "mailflow_session";
  /** An unattended browser stops being a way in after this (OWASP's 15-30 min for high-value applications). */
  static final Duration IDLE = Duration.ofMinutes(20);
  /** A stolen or forgotten session dies within a working day, however busy it is kept. */
  static final Duration ABSOLUTE = Duration.ofHours(8);
  /** Bounds memory against a script logging in in a loop; when full, expired sessions go first, then the oldest. */
  static final int MAX_SESSIONS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One login: {@code id} is only handed to the browser, never kept (see {@link #byDigest}). */
  record Session(String id, Administrator administrator, String csrfToken, Instant created, Instant lastUsed) {
    boolean expired(Instant now) {
      return !now.isBefore(lastUsed.plus(IDLE)) || !now.isBefore(created.plus(ABSOLUTE));
    }
  }

  /**
   * Keyed by the SHA-256 of the session id, not by the id: a map lookup compares keys with an early-exit equals,
   * and comparing digests of what a client sends reveals nothing, by timing, about the ids that exist.
   */
  private final Map<String, Session> byDigest = new ConcurrentHashMap<>();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session for {@code administrator}, with a fresh id and CSRF token (never one the client offered). */
  Session create(Administrator administrator) {
    Instant now = clock.instant();
    if (byDigest.size() >= MAX_SESSIONS) {
      byDigest.values().removeIf(s -> s.expired(now));
      while (byDigest.size() >= MAX_SESSIONS) {
        byDigest.values().stream().min(Comparator.comparing(Session::created))
            .ifPresent(oldest -> byDigest.remove(digest(oldest.id())));
      }
    }
    Session session = new Session(random(), administrator, random(), now, now);
    byDigest.put(digest(session.id()), session);
    return session;
  }

  /**
   * The live session {@code id} names, or empty (unknown, expired: then forgotten). {@code activity}: the request is
   * the administrator's doing and restarts the idle timer; the console's own 5-second refresh is not, or an open tab
   * would never go idle.
   */
  Optional<Session> find(String id, boolean activity) {
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String key = digest(id);
    Instant now = clock.instant();
    Session found = byDigest.get(key);
    if (found == null) {
      return Optional.empty();
    }
    if (found.expired(now)) {
      byDigest.remove(key, found);
      return Optional.empty();
    }
    if (!activity) {
      return Optional.of(found);
    }
    Session touched = new Session(found.id(), found.administrator(), found.csrfToken(), found.created(), now);
    byDigest.replace(key, found, touched);
    return Optional.of(touched);
  }

  /** Ends the session {@code id} names, if any (logout, or a new login from the same browser). */
  void end(String id) {
    if (id != null && !id.isEmpty() && id.length() <= 100) {
      byDigest.remove(digest(id));
    }
  }

  /** Whether {@code presented} is the session's CSRF token, compared in constant time. */
  static boolean csrfMatches(Session session, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
        presented.getBytes(StandardCharsets.UTF_8));
  }

  int size() {
    return byDigest.size();
  }

  /** 256 random bits, URL-safe (a cookie value and a header value without quoting). */
  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String digest(String id) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
