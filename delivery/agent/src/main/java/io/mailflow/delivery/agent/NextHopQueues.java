package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.smtp.SmtpReply;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * NextHopQueues - the state of each delivery queue (next-hop key) this instance owns, as Exchange keeps
 * it: Active, or Retry after its next hop could not be reached, with the last error and the time of the
 * next connection attempt. While a queue is in Retry its copies go to the delay topics without a
 * connection attempt, so a dead destination costs one timeout per retry interval, not one per message.
 *
 * <p>Confined to the stage's context.
 */
final class NextHopQueues {

  /** A queue in Retry: until when, after how many failed connection attempts in a row, and why. */
  record Retry(Instant until, int consecutiveFailures, SmtpReply lastError) {}

  private final RetrySchedule schedule;
  private final Map<String, Retry> retrying = new HashMap<>();

  NextHopQueues(RetrySchedule schedule) {
    this.schedule = schedule;
  }

  /** The queue's Retry state if it is in Retry at {@code now}. */
  Optional<Retry> inRetry(String key, Instant now) {
    Retry r = retrying.get(key);
    return r != null && now.isBefore(r.until()) ? Optional.of(r) : Optional.empty();
  }

  /** The next hop could not be reached: the queue goes to Retry per the schedule. */
  Retry connectionFailed(String key, Instant now, SmtpReply error) {
    Retry previous = retrying.get(key);
    int failures = previous == null ? 1 : previous.consecutiveFailures() + 1;
    Retry r = new Retry(now.plus(schedule.queueRetryDelayAfter(failures)), failures, error);
    retrying.put(key, r);
    return r;
  }

  /**
   * An admin's retry-now (Retry-Queue): the queue's next copy attempts a connection at once; the count of
   * failures is kept, so a further failure waits as long as it would have.
   */
  void retryNow(String key) {
    retrying.computeIfPresent(key, (k, r) -> new Retry(Instant.MIN, r.consecutiveFailures(), r.lastError()));
  }

  /** The next hop answered: the queue is Active again. */
  void connected(String key) {
    retrying.remove(key);
  }
}
