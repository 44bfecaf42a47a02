package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.SendConnector.SmartHost;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiteRelayTest {
  static {
    AvroCodec.of(DeliveryItem.class); // trusts our Avro package, so builders may fill in enum defaults
  }

  /** EX01 in A; EX02, EX03 in B; EX04 in C. DB2 in DAG1: active on EX03, copies EX02, EX03, EX04. */
  private static final String TOPOLOGY = """
      serverName: EX01
      siteName: A
      acceptedDomains: [contoso.test]
      sites: [{name: A}, {name: B}, {name: C}]
      siteLinks: [{name: AB, sites: [A, B]}, {name: AC, sites: [A, C]}]
      servers:
        - {name: EX01, site: A, smtp: "127.0.0.1:2501"}
        - {name: EX02, site: B, smtp: "127.0.0.1:2502"}
        - {name: EX03, site: B, smtp: "127.0.0.1:2503"}
        - {name: EX04, site: C}
        - {name: EX05, site: A, smtp: "127.0.0.1:2505"}
      databases:
        - {name: DB1, copies: [EX01]}
        - {name: DB2, copies: [EX04, EX02, EX03], activeServer: EX03, dag: DAG1}
        - {name: DB3, copies: [EX01, EX05], dag: DAG1}
      sendConnectors:
        - {name: Out, addressSpaces: ["*"], smartHosts: ["192.0.2.1"], sourceTransportServers: [EX04, EX05, EX01]}
        - {name: Mine, addressSpaces: [fabrikam.test], smartHosts: ["192.0.2.1"], sourceTransportServers: [EX01]}
      """;

  private final Organization org = load();
  private final SiteRelay relay = new SiteRelay(org);

  @Test
  void remoteSiteGoesToEveryServerOfTheSiteInConfigOrderOnTheirSmtpEndpoints() {
    SiteRelay.Targets t = relay.targets(item(DeliveryType.SmtpRelayToRemoteAdSite, "b", null));
    assertEquals(List.of("EX02", "EX03"), t.servers());
    assertEquals(List.of(new SmartHost("127.0.0.1", 2502), new SmartHost("127.0.0.1", 2503)), t.hosts());
  }

  @Test
  void serverWithoutSmtpIsReachedByNameOnPort25() {
    assertEquals(List.of(new SmartHost("EX04", 25)),
        relay.targets(item(DeliveryType.SmtpRelayToRemoteAdSite, "C", null)).hosts());
  }

  @Test
  void dagGoesToTheActiveCopyFirstThenOtherCopiesInPreferenceThenOtherMembersButNeverThisServer() {
    SiteRelay.Targets t = relay.targets(item(DeliveryType.SmtpRelayToDag, "dag1", null, "DB2"));
    assertEquals(List.of("EX03", "EX04", "EX02", "EX05"), t.servers());
  }

  @Test
  void connectorSourceServersInThisSiteComeFirstAndThisServerIsSkipped() {
    SiteRelay.Targets t = relay.targets(item(DeliveryType.SmtpRelayToConnectorSourceServers, "Out", "Out"));
    assertEquals(List.of("EX05", "EX04"), t.servers());
  }

  @Test
  void nextHopsNamingNothingElseGiveNoServersAndSayWhy() {
    assertEquals("site 'Z' is not in this node's organization config",
        relay.targets(item(DeliveryType.SmtpRelayToRemoteAdSite, "Z", null)).why());
    assertEquals(List.of("EX05"), relay.targets(item(DeliveryType.SmtpRelayToRemoteAdSite, "A", null)).servers(),
        "this server is never a target");
    assertEquals("DAG 'DAG9' has no mailbox database in this node's organization config",
        relay.targets(item(DeliveryType.SmtpRelayToDag, "DAG9", null)).why());
    assertEquals("send connector 'Nope' is not in this node's organization config",
        relay.targets(item(DeliveryType.SmtpRelayToConnectorSourceServers, "Nope", "Nope")).why());
    SiteRelay.Targets mine = relay.targets(item(DeliveryType.SmtpRelayToConnectorSourceServers, "Mine", "Mine"));
    assertTrue(mine.hosts().isEmpty());
    assertEquals("send connector 'Mine' has no source server other than this one", mine.why());
  }

  private static DeliveryItem item(DeliveryType type, String domain, String connector, String... databases) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId("nmid-1").setReceivedAt(Instant.parse("2026-11-22T20:00:00Z"))
        .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("08DC0001")
        .setClientIp("127.0.0.1").setClientHostname("client.fabrikam.test").setSender("carol@fabrikam.test")
        .setMessageIdHeader("<m@fabrikam.test>").setSubject("s").setSize(1).build();
    List<ResolvedRecipient> recipients = Arrays.stream(databases.length == 0 ? new String[] {null} : databases)
        .map(db -> ResolvedRecipient.newBuilder().setAddress("bob@contoso.test").setOriginalAddress("bob@contoso.test")
            .setType(RecipientType.MAILBOX).setMailboxDatabase(db).build())
        .toList();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-1")
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(recipients).setBody(new InlineBody(ByteBuffer.wrap(new byte[] {'x'}))).build();
  }

  private static Organization load() {
    try {
      return OrganizationLoader.parse(TOPOLOGY, "site-relay.yaml");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRelayedMessageCarriesItsNetworkMessageIdBelowOurReceivedField() {
    byte[] message = "Received: x\r\n\r\nbody\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertEquals("Received: x\r\nX-MS-Exchange-Organization-Network-Message-Id: 0b6f2c1e-8f7a-4d3e-9a41-5f1e2d3c4b5a"
        + "\r\n\r\nbody\r\n", new String(SiteRelay.withNetworkMessageId(message,
            "0b6f2c1e-8f7a-4d3e-9a41-5f1e2d3c4b5a"), java.nio.charset.StandardCharsets.US_ASCII));
    assertTrue(SiteRelay.withNetworkMessageId(message, "evil\r\nBcc: x") == message, "never a broken header");
    assertTrue(SiteRelay.withNetworkMessageId(message, null) == message);
    assertEquals("X-MS-Exchange-Organization-Network-Message-Id: 1\r\nSubject: s\r\n", new String(
        SiteRelay.withNetworkMessageId("Subject: s\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "1"),
        java.nio.charset.StandardCharsets.US_ASCII), "no Received field: on top");
  }
}
