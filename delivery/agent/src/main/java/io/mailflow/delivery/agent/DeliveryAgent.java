package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.vertx.core.Future;

/**
 * DeliveryAgent - delivers copies of one kind of next hop (Exchange's delivery agents per delivery type:
 * mailbox, send connector, site relay, Unreachable) and reports each recipient's outcome. Settling the
 * outcome (delay topics, tracking, DSNs) is the {@link Settlement}'s, never the agent's.
 *
 * <p>Called on the stage's Vert.x context.
 */
@FunctionalInterface
interface DeliveryAgent {

  /**
   * One turn of {@code item}.
   *
   * @param content the copy as it is delivered (our Received field on top)
   * @param context the turn so far; {@link SourceContext#nextHop()} is the copy's queue (next-hop key)
   * @return the outcomes; fails only for a fault of the record itself (a body that cannot be read)
   */
  Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context);
}
