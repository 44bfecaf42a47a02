package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MessageRateLimiter - Exchange's MessageRateLimit of one receive connector: at most N messages per
 * minute per source, the source being the authenticated user, the client IP, or both
 * (MessageRateSource). A sliding one-minute window per source; a message counts once it is queued.
 */
final class MessageRateLimiter {
  static final long WINDOW_MILLIS = 60_000;
  private final int limit;
  private final MessageRateSource source;
  private final Clock clock;
  private final Map<String, Deque<Long>> accepted = new ConcurrentHashMap<>();

  MessageRateLimiter(int limit, MessageRateSource source, Clock clock) {
    this.limit = limit;
    this.source = source;
    this.clock = clock;
  }

  static MessageRateLimiter of(ReceiveConnector connector, Clock clock) {
    return new MessageRateLimiter(connector.messageRateLimit(), connector.messageRateSource(), clock);
  }

  /** Whether a session from {@code clientIp}, authenticated as {@code user} (null: anonymous), may send another message now. */
  boolean allows(String clientIp, String user) {
    if (limit == ReceiveConnector.UNLIMITED) {
      return true;
    }
    long now = clock.millis();
    for (String key : keys(clientIp, user)) {
      Deque<Long> times = accepted.get(key);
      if (times != null) {
        synchronized (times) {
          prune(times, now);
          if (times.size() >= limit) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Counts a message just queued for this source. */
  void counted(String clientIp, String user) {
    if (limit == ReceiveConnector.UNLIMITED) {
      return;
    }
    long now = clock.millis();
    for (String key : keys(clientIp, user)) {
      Deque<Long> times = accepted.computeIfAbsent(key, k -> new ArrayDeque<>());
      synchronized (times) {
        prune(times, now);
        times.addLast(now);
      }
    }
  }

  private List<String> keys(String clientIp, String user) {
    List<String> keys = new ArrayList<>(2);
    if (user != null && source != MessageRateSource.IPAddress) {
      keys.add("user:" + user.toLowerCase(Locale.ROOT));
    }
    if (clientIp != null && source != MessageRateSource.User) {
      keys.add("ip:" + clientIp);
    }
    return keys;
  }

  private static void prune(Deque<Long> times, long now) {
    while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_MILLIS) {
      times.pollFirst();
    }
  }
}
