package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery stage relays intra-organization next hops (remote site, DAG, connector source servers)
 * over SMTP to the named servers' {@code smtp} endpoints, failing over as it does between smart hosts.
 */
class SiteRelayIT {
  @TempDir static Path dataDir;

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final byte[] MESSAGE = ("From: carol@fabrikam.test\r\nTo: bob@contoso.test\r\nSubject: site\r\n"
      + "\r\nAcross sites.\r\n").getBytes(UTF_8);

  private static DeliveryRig rig;
  private static ScriptedSmtpServer ex03;
  private static TopicTail<TrackingEvent> tracking;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("site-relay-it");
    ex03 = rig.smartHost(new ScriptedSmtpServer.Script()
        .rcpt("nobody@contoso.test", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"));
    // EX02 (first in site B) listens nowhere: the relay must fail over to EX03
    Organization org = OrganizationLoader.parse("""
        serverName: EX01
        siteName: A
        acceptedDomains: [contoso.test]
        sites: [{name: A}, {name: B}]
        siteLinks: [{name: A-B, sites: [A, B]}]
        servers:
          - {name: EX01, site: A, smtp: "127.0.0.1:%d"}
          - {name: EX02, site: B, smtp: "127.0.0.1:%d"}
          - {name: EX03, site: B, smtp: "127.0.0.1:%d"}
        databases:
          - {name: DB01, copies: [EX01]}
          - {name: DB02, copies: [EX03, EX02], dag: DAG1}
        """.formatted(ScriptedSmtpServer.closedPort(), ScriptedSmtpServer.closedPort(), ex03.port()), "site-relay.yaml");
    tracking = rig.tracking;
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void aRemoteSiteCopyFailsOverToTheSitesNextServerAndIsTrackedAsSendWithItsReplies() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, DeliveryType.SmtpRelayToRemoteAdSite, "B", Instant.now(),
        mailbox("bob@contoso.test", "DB02"), mailbox("nobody@contoso.test", "DB02")));

    TrackingEvent send = awaitEvents(nmid, "SEND", 1).get(0);
    assertEquals("Intra-Organization SMTP Send Connector", send.getConnectorId());
    assertEquals(List.of("bob@contoso.test"), send.getRecipientAddress());
    assertEquals(List.of("250 2.6.0 Queued mail for delivery"), send.getRecipientStatus());
    assertTrue(send.getSourceContext().contains("servers EX02, EX03"), send.getSourceContext());
    assertEquals(2, send.getSourceContext().split("127\\.0\\.0\\.1:").length - 1, "EX02 tried, then EX03: "
        + send.getSourceContext());
    TrackingEvent fail = awaitEvents(nmid, "FAIL", 1).get(0);
    assertEquals(List.of("nobody@contoso.test"), fail.getRecipientAddress());
    assertTrue(ex03.commandsStartingWith("EHLO").contains("EHLO EX01.contoso.test"), "the server's FQDN");
    assertTrue(ex03.messages.stream().map(m -> new String(m, UTF_8))
        .anyMatch(m -> m.startsWith("Received: from EX01 by EX01 with mailflow (mail.delivery.v1) id iid-" + nmid)));
  }

  @Test
  void aDagCopyGoesToTheActiveCopysServer() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, DeliveryType.SmtpRelayToDag, "DAG1", Instant.now(), mailbox("bob@contoso.test", "DB02")));

    TrackingEvent send = awaitEvents(nmid, "SEND", 1).get(0);
    assertTrue(send.getSourceContext().contains("servers EX03, EX02"), send.getSourceContext());
    assertTrue(send.getSourceContext().contains("tried 127.0.0.1:" + ex03.port() + ";"), "active copy first, no"
        + " failover needed: " + send.getSourceContext());
  }

  @Test
  void aCopyForASiteThisNodeDoesNotKnowIsDeferredWithTheReason() throws Exception {
    String nmid = UUID.randomUUID().toString();
    // close to expiry, so it ends (4.4.7) instead of circling the delay topics for the rest of the run
    Instant almostExpired = Instant.now().minus(Duration.ofDays(2)).plus(Duration.ofSeconds(2));
    publish(item(nmid, DeliveryType.SmtpRelayToRemoteAdSite, "Nowhere", almostExpired,
        mailbox("bob@contoso.test", "DB02")));

    TrackingEvent defer = awaitEvents(nmid, "DEFER", 1).get(0);
    assertTrue(defer.getRecipientStatus().get(0).startsWith("451 4.4.0 site 'Nowhere' is not in this node's"
        + " organization config (configuration error: sites[].name in the organization config of EX01;"),
        defer.getRecipientStatus().toString());
    assertTrue(defer.getSourceContext().contains("configuration error: site 'Nowhere' is not in this node's"
        + " organization config (sites[].name)"), defer.getSourceContext());
    awaitEvents(nmid, "FAIL", 1);
  }

  private static DeliveryItem item(String nmid, DeliveryType type, String domain, Instant receivedAt,
      ResolvedRecipient... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(receivedAt).setReceivingServer("EX01")
        .setReceiveConnector("Default Frontend EX01").setSessionId("08DC0002").setClientIp("127.0.0.1")
        .setClientHostname("client.fabrikam.test").setSender("carol@fabrikam.test")
        .setMessageIdHeader("<site@fabrikam.test>").setSubject("site").setSize(MESSAGE.length).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domain).setConnector(null).build())
        .setRecipients(List.of(recipients)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static ResolvedRecipient mailbox(String address, String database) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.MAILBOX).setMailboxDatabase(database).build();
  }

  private static void publish(DeliveryItem item) throws Exception {
    NextHop hop = item.getNextHop();
    rig.publish(hop.getDeliveryType() + "/" + hop.getNextHopDomain(), item);
  }

  private static List<TrackingEvent> awaitEvents(String nmid, String eventId, int count) {
    return tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), count, WAIT);
  }
}
