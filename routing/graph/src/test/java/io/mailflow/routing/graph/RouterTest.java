package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

  /** B is linked to C through A and through a dearer D; Partner takes at most 10 MB. */
  private static final String ORG_YAML = """
      serverName: EX-B
      siteName: B
      sites: [{name: A, hubSite: true}, {name: B}, {name: C}, {name: D}]
      siteLinks:
        - {name: A-B, sites: [A, B], cost: 10}
        - {name: A-C, sites: [A, C], cost: 10}
        - {name: B-D, sites: [B, D], cost: 30}
        - {name: D-C, sites: [D, C], cost: 30}
      servers: [{name: EX-B, site: B}, {name: EX-C, site: C}]
      databases: [{name: DB-C, activeServer: EX-C, dag: DAG1}]
      sendConnectors:
        - {name: Partner, addressSpaces: ["contoso.com;1"], maxMessageSize: 10MB}
        - {name: Internet, addressSpaces: ["*;1"]}
      """;
  private static final Organization ORG = GoldenTopology.parse(ORG_YAML);

  private static final RoutingDestination DB_C = RoutingDestination.database("DB-C");
  private static final RoutingDestination CONTOSO = RoutingDestination.externalDomain("contoso.com");

  @Test
  void sizesInOneSizeClassShareOneMemoizedDecision() {
    Router router = Router.create(ORG);
    RouteDecision small = router.route(CONTOSO, 1);
    assertSame(small, router.route(CONTOSO, 10L * 1024 * 1024));
    RouteDecision large = router.route(CONTOSO, 10L * 1024 * 1024 + 1);
    assertNotSame(small, large);
    assertEquals("DnsConnectorDelivery/contoso.com/Partner", small.nextHop().asRecordKey());
    assertEquals("DnsConnectorDelivery/contoso.com/Internet", large.nextHop().asRecordKey());
    assertEquals(2, router.memoizedRoutes());
  }

  @Test
  void memoIsEmptiedWhenFullSoMadeUpDomainsCannotGrowIt() {
    Router router = new Router(ORG, Set.of(), 3);
    for (int i = 0; i < 10; i++) {
      router.route(RoutingDestination.externalDomain("d" + i + ".example"), 1);
      assertTrue(router.memoizedRoutes() <= 3, "memo holds " + router.memoizedRoutes());
    }
    assertEquals("DnsConnectorDelivery/d9.example/Internet",
        router.route(RoutingDestination.externalDomain("d9.example"), 1).nextHop().asRecordKey());
  }

  @Test
  void explanationShowsPathCostsHubAndTheLosingAlternative() {
    RouteDecision decision = Router.create(ORG).route(DB_C, 1);
    assertEquals("SmtpRelayToRemoteAdSite/A", decision.nextHop().asRecordKey());
    List<String> lines = decision.explanation();
    assertTrue(lines.contains("destination: mailbox database DB-C, active copy on EX-C in site C, DAG DAG1"),
        decision.explain());
    assertTrue(lines.contains("path: B -[A-B:10]-> A -[A-C:10]-> C (cost 20)"), decision.explain());
    assertTrue(lines.contains("alternative: B -[B-D:30]-> D -[D-C:30]-> C (cost 60) lost: higher cost 60 > 20"),
        decision.explain());
    assertTrue(lines.contains("relay to site A first (hub site)"), decision.explain());
    assertEquals("next hop: SmtpRelayToRemoteAdSite/A", lines.get(lines.size() - 1));
  }

  @Test
  void explanationSaysWhereTheMessageQueuesWhenASiteIsDown() {
    RouteDecision decision = Router.create(ORG, Set.of("C")).route(DB_C, 1);
    assertEquals("A", decision.path().orElseThrow().queueSite());
    assertTrue(decision.explanation().contains("down sites: C"), decision.explain());
    assertTrue(decision.explanation().contains("site C is down: the message queues in A (point of failure)"),
        decision.explain());
  }

  @Test
  void aSiteConfiguredDownQueuesAtThePointOfFailureLikeOneTakenDownAtRunTime() {
    Organization configured = GoldenTopology.parse(ORG_YAML.replace("{name: C}", "{name: C, down: true}"));
    RouteDecision decision = Router.create(configured).route(DB_C, 1);
    assertEquals("A", decision.path().orElseThrow().queueSite());
    assertTrue(decision.explanation().contains("down sites: C (configured down)"), decision.explain());
    Router both = Router.create(configured, Set.of("A"));
    assertEquals(Set.of("A", "C"), both.siteGraph().downSites());
    assertNotEquals(Router.create(ORG).topologyVersion(), Router.create(configured).topologyVersion());
  }

  @Test
  void explanationOfAConnectorChoiceSaysWhyTheOthersLost() {
    RouteDecision decision = Router.create(ORG).route(CONTOSO, 20L * 1024 * 1024);
    assertTrue(decision.explanation().contains(
        "connector Partner lost: MaxMessageSize 10485760 bytes is too small for the message"), decision.explain());
    assertTrue(decision.explanation().contains("from: server EX-B in site B; message size class 10485761-36700160 bytes"),
        decision.explain());
  }

  @Test
  void unreachableDecisionSaysWhy() {
    RouteDecision decision = Router.create(ORG).route(RoutingDestination.database("DB-NONE"), 1);
    assertTrue(decision.isUnreachable());
    assertTrue(decision.path().isEmpty());
    assertTrue(decision.explanation().contains("unreachable: mailbox database DB-NONE is not in the organization"),
        decision.explain());
  }

  @Test
  void decisionCarriesTheTopologyVersionItWasComputedFor() {
    Router router = Router.create(ORG);
    assertEquals(router.topologyVersion(), router.route(DB_C, 1).topologyVersion());
    assertTrue(router.route(DB_C, 1).explanation().get(0).contains(router.topologyVersion()));
  }

  @Test
  void topologyVersionIsStableForEqualTopologiesAndChangesWithFailoverOrDownSites() {
    String version = Router.create(ORG).topologyVersion();
    assertEquals(16, version.length());
    assertEquals(version, Router.create(GoldenTopology.withActiveServer(ORG, "DB-C", "EX-C")).topologyVersion());
    assertNotEquals(version, Router.create(GoldenTopology.withActiveServer(ORG, "DB-C", "EX-B")).topologyVersion());
    assertNotEquals(version, Router.create(ORG, Set.of("D")).topologyVersion());
    assertEquals(Router.create(ORG, Set.of("d")).topologyVersion(), Router.create(ORG, Set.of("D")).topologyVersion());
  }

  @Test
  void connectorReadAsUnlimitedCarriesAnySize() {
    Organization org = GoldenTopology.parse("""
        serverName: EX-A
        siteName: A
        sites: [{name: A}]
        sendConnectors:
          - {name: Internet, addressSpaces: ["*;1"], maxMessageSize: %d}
        """.formatted(Long.MAX_VALUE));
    Router router = Router.create(org);
    assertEquals("DnsConnectorDelivery/contoso.com/Internet", router.route(CONTOSO, Long.MAX_VALUE).nextHop().asRecordKey());
    assertSame(router.route(CONTOSO, 0), router.route(CONTOSO, Long.MAX_VALUE));
  }

  @Test
  void negativeSizeOrMissingDestinationIsRejected() {
    Router router = Router.create(ORG);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> router.route(DB_C, -1));
    assertEquals("route mailbox database DB-C: message size -1 is negative", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> router.route(null, 1));
  }

  @Test
  void nodeWhoseSiteIsNotASiteIsRejected() {
    Organization lost = GoldenTopology.parse("""
        serverName: EX-Q
        siteName: Q
        sites: [{name: A}]
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Router.create(lost));
    assertEquals("organization siteName 'Q' is not one of its sites [A]", e.getMessage());
  }

  @Test
  void smartHostWithoutItsOwnPortUsesTheConnectorsPort() {
    Organization org = GoldenTopology.parse("""
        serverName: EX-A
        siteName: A
        sites: [{name: A}]
        sendConnectors:
          - {name: Relay, addressSpaces: ["*;1"], port: 2626, smartHosts: ["relay1.example", "10.0.0.2:2525"]}
        """);
    assertEquals("SmartHostConnectorDelivery/relay1.example:2626;10.0.0.2:2525/Relay",
        Router.create(org).route(CONTOSO, 1).nextHop().asRecordKey());
  }
}
