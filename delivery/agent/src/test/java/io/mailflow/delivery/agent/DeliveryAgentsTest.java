package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dispatcher's choice of agent per delivery type, and what becomes of a type nobody delivers yet. */
class DeliveryAgentsTest {

  private final DeliveryAgent mailbox = named();
  private final DeliveryAgent sendConnector = named();
  private final DeliveryAgent siteRelay = named();
  private final DeliveryAgent unreachable = named();
  private final DeliveryAgent notImplemented = named();
  private final DeliveryAgents agents = new DeliveryAgents(mailbox, sendConnector, siteRelay, unreachable,
      notImplemented);

  @Test
  void everyDeliveryTypeGoesToTheAgentForItsKindOfNextHop() {
    Map<DeliveryType, DeliveryAgent> want = Map.of(
        DeliveryType.SmtpDeliveryToMailbox, mailbox,
        DeliveryType.SmartHostConnectorDelivery, sendConnector,
        DeliveryType.DnsConnectorDelivery, sendConnector,
        DeliveryType.SmtpRelayToRemoteAdSite, siteRelay,
        DeliveryType.SmtpRelayToDag, siteRelay,
        DeliveryType.SmtpRelayToConnectorSourceServers, siteRelay,
        DeliveryType.Unreachable, unreachable,
        DeliveryType.SmtpRelayToMailboxDeliveryGroup, notImplemented,
        DeliveryType.Undefined, notImplemented);
    assertEquals(DeliveryType.values().length, want.size(), "every type is listed here");
    want.forEach((type, agent) -> assertSame(agent, agents.forType(type), "got another agent for " + type));
  }

  @Test
  void aTypeNotImplementedKeepsEveryRecipientQueuedAndSaysSoNotThatTheConfigIsWrong() {
    DeliveryItem copy = item(DeliveryType.SmtpRelayToMailboxDeliveryGroup, "group1", null, Instant.now(), 0,
        "a@contoso.test", "b@contoso.test");
    Attempted a = new UnimplementedDeliveryType().attempt(copy, null,
        SourceContext.attempt(0, "SmtpRelayToMailboxDeliveryGroup/group1")).result();

    assertEquals(2, a.outcomes().size());
    for (DeliveryOutcome o : a.outcomes()) {
      assertEquals(DeliveryOutcome.Transient.class, o.getClass());
      assertEquals("451 4.4.0 delivery type SmtpRelayToMailboxDeliveryGroup not implemented yet (next hop"
          + " SmtpRelayToMailboxDeliveryGroup group1); the message stays queued", o.recipientStatus());
    }
    assertEquals(List.of("a@contoso.test", "b@contoso.test"), a.outcomes().stream().map(DeliveryOutcome::recipient)
        .toList());
    assertNull(a.configurationError());
    assertEquals("attempt 1; next hop SmtpRelayToMailboxDeliveryGroup/group1; delivery type"
        + " SmtpRelayToMailboxDeliveryGroup not implemented yet", a.context().toString());
    assertFalse(a.context().toString().contains("configuration"));
  }

  /** A distinct agent each call: an anonymous class, because a non-capturing lambda may be one shared instance. */
  private static DeliveryAgent named() {
    return new DeliveryAgent() {
      @Override
      public Future<Attempted> attempt(DeliveryItem item, io.mailflow.delivery.agent.body.MessageSource content,
          SourceContext context) {
        return Future.failedFuture("not called");
      }
    };
  }
}
