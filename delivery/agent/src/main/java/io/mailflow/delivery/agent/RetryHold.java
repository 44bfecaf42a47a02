package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import java.time.Clock;

/**
 * RetryHold - a queue in Retry holds its copies: while {@link NextHopQueues} has the copy's queue in Retry
 * (every host failed before taking anything, {@link SmtpSend}), every recipient is deferred and {@code agent}
 * is not called, so a dead destination costs one failed session per retry interval, not one per message.
 * Stands in front of the SMTP agents, before their config checks and DNS look-ups.
 *
 * @param agent the agent whose failed connections put its queues in Retry
 */
record RetryHold(NextHopQueues queues, Clock clock, DeliveryAgent agent) implements DeliveryAgent {

  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    return queues.inRetry(context.nextHop(), clock.instant())
        .map(retry -> Future.succeededFuture(held(item, context, retry)))
        .orElseGet(() -> agent.attempt(item, content, context));
  }

  /** Every recipient deferred and no connection attempted; the attempt count is kept ("queued"). */
  private static Attempted held(DeliveryItem item, SourceContext context, NextHopQueues.Retry retry) {
    return Attempted.sameForAll(item, context.queued().with("no connection attempted"), SmtpReply.of(451, "4.4.0",
        "Queue in Retry until " + retry.until() + " after " + retry.consecutiveFailures()
            + " failed connection attempt(s); last error: " + retry.lastError()));
  }
}
