package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A next hop this node's config cannot serve: every recipient stays queued (transient) with a reply and a
 * source-context that say it is a configuration error, what is missing and which config key to fix. No
 * connection is made, so no server is needed.
 */
class ConfigurationErrorTest {

  private static final String ORGANIZATION = """
      serverName: EX01
      siteName: A
      acceptedDomains: [contoso.test]
      sites: [{name: A}, {name: B}]
      siteLinks: [{name: AB, sites: [A, B]}]
      servers:
        - {name: EX01, site: A, smtp: "127.0.0.1:2501"}
      databases:
        - {name: DB1, copies: [EX01], dag: DAG1}
      sendConnectors:
        - {name: Out, addressSpaces: ["*"], smartHosts: ["192.0.2.1"], sourceTransportServers: [EX01]}
      """;
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final MessageSource CONTENT = MessageSource.of("Subject: s\r\n\r\nx\r\n".getBytes());

  private static Vertx vertx;
  private static Organization org;
  private static SmartHostRelay relay;
  private static MxResolver mx;
  private final NextHopQueues queues = new NextHopQueues(TransportRetrySchedule.of(TransportService.defaults()));
  private final SmtpSend smtp = new SmtpSend(relay, queues, org, Clock.fixed(NOW, ZoneOffset.UTC));

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    org = OrganizationLoader.parse(ORGANIZATION, "configuration-error.yaml");
    relay = new SmartHostRelay(vertx, new SmtpClientOptions(), new DestinationLimiter(20, 1000));
    mx = new MxResolver(vertx, Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void aSendConnectorMissingFromThisNodesConfigIsAConfigurationErrorNamingConnectorAndKey() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Internet", NOW, 2,
        "a@fabrikam.test", "b@fabrikam.test");
    Attempted a = new SendConnectorAgent(org, smtp, mx).attempt(copy, CONTENT,
        SourceContext.attempt(2, "SmartHostConnectorDelivery/fabrikam.test")).result();

    assertEquals(new ConfigurationError("send connector 'Internet' is not in this node's organization config",
        "sendConnectors[].name"), a.configurationError());
    for (DeliveryOutcome o : a.outcomes()) {
      assertEquals(DeliveryOutcome.Transient.class, o.getClass(), "a fixed config delivers it: " + o);
      assertEquals("451 4.4.0 send connector 'Internet' is not in this node's organization config (configuration"
          + " error: sendConnectors[].name in the organization config of EX01; next hop SmartHostConnectorDelivery"
          + " fabrikam.test); the message stays queued until the config is fixed", o.recipientStatus());
    }
    assertEquals(2, a.outcomes().size());
    assertEquals("attempt 3; next hop SmartHostConnectorDelivery/fabrikam.test; configuration error: send connector"
        + " 'Internet' is not in this node's organization config (sendConnectors[].name)", a.context().toString());
    assertTrue(a.attempted(), "the copy's attempts count on, so its retries back off as before");
    assertNull(a.remoteHost());
  }

  @Test
  void aSiteRelayWithNoServerToGoToIsAConfigurationErrorNamingTheKeyToFix() {
    SiteRelayAgent sites = new SiteRelayAgent(org, smtp);
    Attempted unknownSite = sites.attempt(item(DeliveryType.SmtpRelayToRemoteAdSite, "Nowhere", null, NOW, 0,
        "bob@contoso.test"), CONTENT, SourceContext.attempt(0, "SmtpRelayToRemoteAdSite/Nowhere")).result();
    assertEquals("sites[].name", unknownSite.configurationError().configKey());
    assertTrue(unknownSite.outcomes().get(0).recipientStatus().startsWith("451 4.4.0 site 'Nowhere' is not in this"
        + " node's organization config (configuration error: sites[].name in the organization config of EX01;"),
        unknownSite.outcomes().get(0).recipientStatus());

    Attempted emptySite = sites.attempt(item(DeliveryType.SmtpRelayToRemoteAdSite, "B", null, NOW, 0,
        "bob@contoso.test"), CONTENT, SourceContext.attempt(0, "SmtpRelayToRemoteAdSite/B")).result();
    assertEquals(new ConfigurationError("site 'B' has no server other than this one", "servers[].site"),
        emptySite.configurationError());

    Attempted lonelyDag = sites.attempt(item(DeliveryType.SmtpRelayToDag, "DAG1", null, NOW, 0,
        "bob@contoso.test"), CONTENT, SourceContext.attempt(0, "SmtpRelayToDag/DAG1")).result();
    assertEquals("databases[].activeServer, databases[].copies", lonelyDag.configurationError().configKey());
    assertEquals(DeliveryOutcome.Transient.class, lonelyDag.outcomes().get(0).getClass());
  }

  @Test
  void aQueueInRetryHoldsItsCopyWithoutAConnectionAndKeepsItsAttemptCount() {
    queues.connectionFailed("SmartHostConnectorDelivery/fabrikam.test", NOW,
        SmtpReply.of(421, "4.2.1", "Unable to connect to 192.0.2.1:25"));
    Attempted held = new RetryHold(queues, Clock.fixed(NOW, ZoneOffset.UTC), new SendConnectorAgent(org, smtp, mx))
        .attempt(item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Out", NOW, 2, "a@fabrikam.test"),
            CONTENT, SourceContext.attempt(2, "SmartHostConnectorDelivery/fabrikam.test")).result();

    assertNotNull(held);
    assertFalse(held.attempted());
    assertNull(held.configurationError());
    assertEquals("queued; next hop SmartHostConnectorDelivery/fabrikam.test; no connection attempted",
        held.context().toString());
    assertEquals("451 4.4.0 Queue in Retry until 2026-12-07T12:01:00Z after 1 failed connection attempt(s); last"
        + " error: 421 4.2.1 Unable to connect to 192.0.2.1:25", held.outcomes().get(0).recipientStatus());
  }
}
