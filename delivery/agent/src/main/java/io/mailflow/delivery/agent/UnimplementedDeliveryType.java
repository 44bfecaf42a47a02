package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.NextHop;
import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UnimplementedDeliveryType - the agent for delivery types mailflow cannot deliver yet (e.g.
 * SmtpRelayToMailboxDeliveryGroup): every recipient transient, so the copy waits in its queue for code that
 * can deliver it instead of bouncing. Logged once per type as a warning; unlike a {@link ConfigurationError},
 * no config change helps.
 *
 * <p>Confined to the stage's context.
 */
final class UnimplementedDeliveryType implements DeliveryAgent {

  private static final Logger log = LoggerFactory.getLogger(UnimplementedDeliveryType.class);

  private final Set<DeliveryType> logged = EnumSet.noneOf(DeliveryType.class);

  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    NextHop hop = item.getNextHop();
    String why = "delivery type " + hop.getDeliveryType() + " not implemented yet";
    if (logged.add(hop.getDeliveryType())) {
      log.warn("delivery: {}; its copies stay queued (first: {} for next hop {})", why, item.getInternalMessageId(),
          context.nextHop());
    }
    return Future.succeededFuture(Attempted.sameForAll(item, context.with(why), SmtpReply.of(451, "4.4.0",
        why + " (next hop " + hop.getDeliveryType() + " " + hop.getNextHopDomain() + "); the message stays queued")));
  }
}
