package io.mailflow.delivery.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SourceContext - the source-context of a delivery's tracking events, kept as parts (attempt number,
 * next hop, attempted or only queued, then what happened in order) and written out once, so no step
 * rewrites another's text: {@code attempt 2; next hop SmartHostConnectorDelivery/fabrikam.test; tried
 * 127.0.0.1:25; remote said 250 ok; deferred to mail.retry.1m.v1 until …}, or {@code queued; next hop …;
 * no connection attempted} when the copy was held without an attempt.
 *
 * @param attempt which attempt this copy's turn is (the copy's {@code attempt} + 1)
 * @param attempted false when the copy was held without an attempt (queue in Retry or suspended): its
 *     attempt count is kept
 * @param nextHop the next-hop key: the queue the copy belongs to
 * @param details what happened, in order
 */
record SourceContext(int attempt, boolean attempted, String nextHop, List<String> details) {

  SourceContext {
    Objects.requireNonNull(nextHop, "nextHop");
    details = List.copyOf(details);
  }

  /** The turn of a copy with {@code attemptsSoFar} attempts behind it, in queue {@code nextHop}. */
  static SourceContext attempt(int attemptsSoFar, String nextHop) {
    return new SourceContext(attemptsSoFar + 1, true, nextHop, List.of());
  }

  /** The same turn, the copy held in its queue without an attempt. */
  SourceContext queued() {
    return new SourceContext(attempt, false, nextHop, details);
  }

  /** With {@code detail} after what is there. */
  SourceContext with(String detail) {
    List<String> more = new ArrayList<>(details);
    more.add(detail);
    return new SourceContext(attempt, attempted, nextHop, more);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(attempted ? "attempt " + attempt : "queued")
        .append("; next hop ").append(nextHop);
    details.forEach(d -> text.append("; ").append(d));
    return text.toString();
  }
}
