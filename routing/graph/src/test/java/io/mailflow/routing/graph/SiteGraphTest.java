package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Site;
import io.mailflow.organization.SiteLink;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiteGraphTest {

  private static Site site(String name) {
    return new Site(name, false);
  }

  private static Site hub(String name) {
    return new Site(name, true);
  }

  private static SiteLink link(String name, int cost, String... sites) {
    return new SiteLink(name, List.of(sites), cost, 0);
  }

  private static final List<Site> ABCD = List.of(site("A"), site("B"), site("C"), site("D"));

  @Test
  void linkWithThreeSitesJoinsEveryPairAtItsCost() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("Core", 7, "A", "B", "C")));
    assertEquals("B -[Core:7]-> C (cost 7)", graph.leastCostPath("B", "C", 0).orElseThrow().render());
    assertTrue(graph.leastCostPath("A", "D", 0).isEmpty(), "D has no link");
  }

  @Test
  void cheaperOfTwoParallelLinksIsTaken() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("Slow", 50, "A", "B"), link("Fast", 5, "A", "B")));
    Path path = graph.leastCostPath("A", "B", 0).orElseThrow();
    assertEquals("A -[Fast:5]-> B (cost 5)", path.render());
    assertEquals("higher cost 50 > 5", path.alternatives().get(0).lostBecause());
  }

  @Test
  void equalParallelLinksResolveByLinkName() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("Zulu", 5, "A", "B"), link("Alpha", 5, "A", "B")));
    assertEquals("A -[Alpha:5]-> B (cost 5)", graph.leastCostPath("A", "B", 0).orElseThrow().render());
  }

  @Test
  void messageTooLargeForALinkTakesAnotherPathOrNone() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(
        new SiteLink("Small", List.of("A", "B"), 5, 1000),
        link("A-C", 10, "A", "C"), link("C-B", 10, "C", "B")));
    assertEquals("A -[Small:5]-> B (cost 5)", graph.leastCostPath("A", "B", 1000).orElseThrow().render());
    assertEquals("A -[A-C:10]-> C -[C-B:10]-> B (cost 20)",
        graph.leastCostPath("A", "B", 1001).orElseThrow().render());
    assertEquals(Set.of(1000L), graph.linkSizeLimits());

    SiteGraph only = SiteGraph.of(ABCD, List.of(new SiteLink("Small", List.of("A", "B"), 5, 1000)));
    assertTrue(only.leastCostPath("A", "B", 1001).isEmpty());
  }

  @Test
  void pathListsEachHopWithItsCost() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("A-B", 3, "A", "B"), link("B-C", 4, "B", "C")));
    Path path = graph.leastCostPath("A", "C", 0).orElseThrow();
    assertEquals(List.of(new Path.Hop("A", "B", "A-B", 3), new Path.Hop("B", "C", "B-C", 4)), path.hops());
    assertEquals(7, path.totalCost());
    assertEquals(List.of("A", "B", "C"), path.sites());
  }

  @Test
  void alternativeWithMoreHopsSaysSo() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("A-B", 5, "A", "B"), link("B-D", 10, "B", "D"),
        link("B-C", 5, "B", "C"), link("C-D", 5, "C", "D")));
    Path path = graph.leastCostPath("A", "D", 0).orElseThrow();
    assertEquals("A -[A-B:5]-> B -[B-D:10]-> D (cost 15)", path.render());
    Path.Alternative lost = path.alternatives().get(0);
    assertEquals("A -[A-B:5]-> B -[B-C:5]-> C -[C-D:5]-> D (cost 15)", lost.render());
    assertEquals("same cost 15, more hops 3 > 2", lost.lostBecause());
  }

  @Test
  void alternativeLosingOnNamesNamesTheSites() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("A-B", 5, "A", "B"), link("A-C", 5, "A", "C"),
        link("B-D", 5, "B", "D"), link("C-D", 5, "C", "D")));
    Path path = graph.leastCostPath("A", "D", 0).orElseThrow();
    assertEquals(List.of("A", "B", "D"), path.sites());
    assertEquals("same cost and hops, site 'C' sorts after 'B'", path.alternatives().get(0).lostBecause());
  }

  @Test
  void firstHubOnThePathIsTheRelaySite() {
    List<Site> sites = List.of(site("S"), hub("H1"), site("M"), hub("H2"), site("T"));
    SiteGraph graph = SiteGraph.of(sites, List.of(link("1", 1, "S", "H1"), link("2", 1, "H1", "M"),
        link("3", 1, "M", "H2"), link("4", 1, "H2", "T")));
    Path path = graph.leastCostPath("S", "T", 0).orElseThrow();
    assertEquals(List.of("H1", "H2"), path.hubSites());
    assertEquals("H1", path.relaySite());
    assertNull(path.queueSite());
    assertNull(path.failedSite());
  }

  @Test
  void downDestinationBehindTwoHubsQueuesInTheSecondHub() {
    List<Site> sites = List.of(site("S"), hub("H1"), hub("H2"), site("T"));
    SiteGraph graph = SiteGraph.of(sites, List.of(link("1", 1, "S", "H1"), link("2", 1, "H1", "H2"),
        link("3", 1, "H2", "T")), Set.of("T"));
    Path path = graph.leastCostPath("S", "T", 0).orElseThrow();
    assertEquals("H1", path.relaySite());
    assertEquals("H2", path.queueSite());
    assertEquals("T", path.failedSite());
  }

  @Test
  void sameSitePathIsLocalWithCostZero() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of());
    Path path = graph.leastCostPath("a", "A", 0).orElseThrow();
    assertTrue(path.isLocal());
    assertEquals("A (cost 0)", path.render());
  }

  @Test
  void siteNamesMatchCaseInsensitivelyAndKeepTheirSpelling() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of(link("A-B", 1, "a", "b")), Set.of("c"));
    assertEquals("A -[A-B:1]-> B (cost 1)", graph.leastCostPath("a", "b", 0).orElseThrow().render());
    assertEquals(Set.of("C"), graph.downSites());
    assertTrue(graph.isDown("C"));
    assertFalse(graph.isHub("b"));
  }

  @Test
  void linkToAnUnknownSiteIsRejectedNamingLinkAndSite() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SiteGraph.of(ABCD, List.of(link("A-X", 5, "A", "X"))));
    assertTrue(e.getMessage().startsWith("site link 'A-X' names unknown site 'X'"), e.getMessage());
  }

  @Test
  void linkCostOutsideExchangesRangeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> SiteGraph.of(ABCD, List.of(link("Free", 0, "A", "B"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SiteGraph.of(ABCD, List.of(link("Dear", 100_000, "A", "B"))));
    assertEquals("site link 'Dear': cost 100000 is outside 1-99999", e.getMessage());
  }

  @Test
  void linkJoiningOneSiteIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SiteGraph.of(ABCD, List.of(link("Loop", 5, "A", "a"))));
    assertTrue(e.getMessage().contains("'Loop' joins 1 distinct site"), e.getMessage());
  }

  @Test
  void duplicateSiteIsRejectedNamingItsIndex() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SiteGraph.of(List.of(site("A"), site("a")), List.of()));
    assertEquals("sites[1]: duplicate site 'a'", e.getMessage());
  }

  @Test
  void unknownDownSiteIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SiteGraph.of(ABCD, List.of(), Set.of("Q")));
    assertTrue(e.getMessage().startsWith("down site 'Q' is not a site"), e.getMessage());
  }

  @Test
  void pathBetweenUnknownSitesIsRejected() {
    SiteGraph graph = SiteGraph.of(ABCD, List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> graph.leastCostPath("A", "Q", 0));
    assertTrue(e.getMessage().startsWith("unknown site 'Q'"), e.getMessage());
  }
}
