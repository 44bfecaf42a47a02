package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectorSelectorTest {

  private static ConnectorSelector selector(Organization org) {
    return new ConnectorSelector(org, SiteGraph.of(org, List.of()));
  }

  private static Organization withConnectors(String connectorsYaml) {
    return GoldenTopology.parse("""
        serverName: EX-A
        siteName: A
        sites: [{name: A}, {name: B}]
        siteLinks: [{name: A-B, sites: [A, B], cost: 10}]
        servers: [{name: EX-A, site: A}, {name: EX-B, site: B}]
        sendConnectors:
        """ + connectorsYaml);
  }

  @Test
  void exactBeatsWildcardBeatsShorterWildcardBeatsStar() {
    String domain = "mail.contoso.com";
    int exact = ConnectorSelector.specificity("mail.contoso.com", domain);
    int wildcard = ConnectorSelector.specificity("*.mail.contoso.com", domain);
    int shorter = ConnectorSelector.specificity("*.contoso.com", domain);
    int star = ConnectorSelector.specificity("*", domain);
    assertTrue(exact > wildcard && wildcard > shorter && shorter > star && star == 0,
        List.of(exact, wildcard, shorter, star).toString());
  }

  @Test
  void wildcardCoversTheDomainItselfAndSubdomainsOnly() {
    assertTrue(ConnectorSelector.specificity("*.contoso.com", "contoso.com") > 0);
    assertTrue(ConnectorSelector.specificity("*.Contoso.com", "a.b.CONTOSO.com") > 0);
    assertEquals(-1, ConnectorSelector.specificity("*.contoso.com", "notcontoso.com"));
    assertEquals(-1, ConnectorSelector.specificity("contoso.com", "sales.contoso.com"));
  }

  @Test
  void bestOfAConnectorsAddressSpacesCounts() {
    ConnectorSelector selector = selector(withConnectors("""
          - {name: Wide, addressSpaces: ["*;1", "contoso.com;9"]}
          - {name: Narrow, addressSpaces: ["*.contoso.com;1"]}
        """));
    ConnectorSelector.Selection selection = selector.select("contoso.com", 1);
    assertEquals("Wide", selection.chosen().orElseThrow().connector().name());
    assertEquals("contoso.com", selection.chosen().orElseThrow().addressSpace().domain());
  }

  @Test
  void reasonsSayWhyEveryOtherConnectorLost() {
    ConnectorSelector selector = selector(withConnectors("""
          - {name: Star, addressSpaces: ["*;1"]}
          - {name: Exact, addressSpaces: ["contoso.com;1"]}
          - {name: Remote, addressSpaces: ["contoso.com;1"], sourceTransportServers: [EX-B]}
          - {name: Small, addressSpaces: ["contoso.com;1"], maxMessageSize: 10}
          - {name: Other, addressSpaces: ["fabrikam.com;1"]}
        """));
    List<String> reasons = selector.select("contoso.com", 100).reasons();
    assertTrue(reasons.get(0).startsWith("chosen connector Exact"), reasons.toString());
    assertTrue(reasons.contains("no address space matches contoso.com on connector(s): Other"), reasons.toString());
    assertTrue(reasons.contains("connector Small lost: MaxMessageSize 10 bytes is too small for the message"),
        reasons.toString());
    assertTrue(reasons.contains("connector Star lost: address space '*' is less specific than 'contoso.com'"),
        reasons.toString());
    assertTrue(reasons.contains("connector Remote lost: total cost 11 (path 10 + address space 1) > 1"),
        reasons.toString());
  }

  @Test
  void connectorWhoseSourceServersHaveNoKnownSiteCannotBeChosen() {
    ConnectorSelector selector = selector(withConnectors("""
          - {name: Ghost, addressSpaces: ["*;1"], sourceTransportServers: [EX-GONE]}
        """));
    ConnectorSelector.Selection selection = selector.select("fabrikam.com", 1);
    assertTrue(selection.chosen().isEmpty());
    assertTrue(selection.reasons().contains(
        "connector Ghost lost: no site path to any source server [EX-GONE] (no known site for [EX-GONE])"),
        selection.reasons().toString());
  }

  @Test
  void nearestOfSeveralSourceSitesCounts() {
    ConnectorSelector selector = selector(withConnectors("""
          - {name: Both, addressSpaces: ["*;1"], sourceTransportServers: [EX-B, EX-A]}
        """));
    ConnectorSelector.Candidate chosen = selector.select("fabrikam.com", 1).chosen().orElseThrow();
    assertEquals(ConnectorSelector.Proximity.THIS_SERVER, chosen.proximity());
    assertEquals(1, chosen.totalCost());
  }

  @ParameterizedTest
  @ValueSource(strings = {"*contoso.com", "", "a.*.com", "*.", "**", ".contoso.com"})
  void malformedAddressSpaceIsRejectedNamingConnectorAndSpace(String space) {
    Organization org = withConnectors("  - {name: Bad, addressSpaces: [\"" + space + ";1\"]}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> selector(org));
    assertEquals("send connector 'Bad': address space '" + space + "' must be '*', '*.domain' or 'domain'",
        e.getMessage());
  }
}
