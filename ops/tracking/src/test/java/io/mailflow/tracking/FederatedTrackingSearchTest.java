package io.mailflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which clusters a node reads, from servers[].trackingBootstrap. */
class FederatedTrackingSearchTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  @Test
  void ownClusterFirstThenEachDistinctOtherClusterNamedByItsServers() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "servers:\n"
        + "  - {name: EX01, trackingBootstrap: \"127.0.0.1:19092\"}\n"
        + "  - {name: EX02, trackingBootstrap: \"127.0.0.1:19093\"}\n"
        + "  - {name: EX03, trackingBootstrap: \"127.0.0.1:19093\"}\n"
        + "  - {name: EX04}\n", "t.yaml");
    assertEquals(List.of(new FederatedTrackingSearch.Cluster("EX01 at 127.0.0.1:19092", "127.0.0.1:19092"),
        new FederatedTrackingSearch.Cluster("EX02, EX03 at 127.0.0.1:19093", "127.0.0.1:19093")),
        FederatedTrackingSearch.clusters(org, "127.0.0.1:19092"));
  }

  @Test
  void withoutTrackingBootstrapEveryServerIsOnTheOwnCluster() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "servers: [{name: EX01}, {name: EX02}]\n", "t.yaml");
    assertEquals(List.of(new FederatedTrackingSearch.Cluster("EX01 at kafka:9092", "kafka:9092")),
        FederatedTrackingSearch.clusters(org, "kafka:9092"));
  }

  @TempDir
  Path dir;

  /** A local index (no feed) holding {@code events} at positions 0.. of partition 0. */
  private TrackingIndex local(String name, List<TrackingEvent> events) throws Exception {
    TrackingIndex index = TrackingIndex.local(dir.resolve(name), TrackingIndex.Options.defaults());
    long offset = 0;
    for (TrackingEvent e : events) {
      index.store().add(e, Topics.TRACKING.codec().encode(e), TrackingFields.position(0, offset++));
    }
    index.store().commit(Map.of(0, offset));
    index.store().refresh();
    return index;
  }

  private static List<String> names(List<TrackingEvent> events) {
    return events.stream().map(e -> e.getServerHostname() + "@" + (e.getDateTime().getEpochSecond()
        - Events.T0.getEpochSecond())).toList();
  }

  @Test
  void pagesOfEveryClusterAreMergedByTimeAndTheCursorWalksThemAll() throws Exception {
    Envelope m = Events.envelope("nmid-m", "carol@contoso.test", "<m@contoso.test>", "merge");
    List<String> bob = List.of("bob@contoso.test");
    List<TrackingEvent> onA = new ArrayList<>();
    List<TrackingEvent> onB = new ArrayList<>();
    for (long t : new long[] {0, 3, 4, 8}) {
      onA.add(Events.event("EX01", t, m, TrackingSource.SMTP, TrackingEventId.RECEIVE, bob, List.of()));
    }
    for (long t : new long[] {1, 2, 5, 6, 7}) {
      onB.add(Events.event("EX02", t, m, TrackingSource.SMTP, TrackingEventId.RECEIVE, bob, List.of()));
    }
    try (TrackingIndex a = local("a", onA); TrackingIndex b = local("b", onB)) {
      FederatedTrackingSearch search = new FederatedTrackingSearch(List.of(
          new FederatedTrackingSearch.Member("EX01 at a:1", "a:1", a, () -> true),
          new FederatedTrackingSearch.Member("EX02 at b:1", "b:1", b, () -> false)));
      TrackingQuery all = TrackingQuery.all().withResultSize(3);
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        FederatedTrackingSearch.Answer<TrackingPage> page = search.search(all, cursor);
        assertEquals(9, page.value().totalHits());
        assertEquals(List.of("EX02 at b:1"), page.unreachable(), "what b took still answers, and b is named");
        seen.addAll(names(page.value().events()));
        cursor = page.value().next();
        pages++;
      } while (cursor != null && pages < 10);
      assertEquals(List.of("EX01@0", "EX02@1", "EX02@2", "EX01@3", "EX01@4", "EX02@5", "EX02@6", "EX02@7",
          "EX01@8"), seen);
      assertEquals(3, pages);
      TrackingQueryException wrong = org.junit.jupiter.api.Assertions.assertThrows(TrackingQueryException.class,
          () -> search.search(all, "Zm9v"));
      assertEquals("Cursor", wrong.parameter());
    }
  }

  @Test
  void anIndexBehindItsTopicIsSaidWithItsLag() throws Exception {
    try (TrackingIndex a = local("a", List.of())) {
      TrackingSearch behind = new TrackingSearch() {
        @Override
        public TrackingPage search(TrackingQuery query) {
          return a.search(query);
        }

        @Override
        public DeliveryReport report(String id) {
          return a.report(id);
        }

        @Override
        public IndexStatus status() {
          return new IndexStatus(0, null, null, Map.of(0, 0L), 1234, 0, true);
        }
      };
      FederatedTrackingSearch search = new FederatedTrackingSearch(List.of(
          new FederatedTrackingSearch.Member("EX01 at a:1", "a:1", behind, () -> true)));
      FederatedTrackingSearch.Answer<TrackingPage> page = search.search(TrackingQuery.all(), null);
      assertEquals(1234, page.catchingUp().get("EX01 at a:1").lag());
      assertEquals(List.of(), page.value().events());
    }
  }

  @Test
  void eachClusterHasADirectoryNamedByItsBootstrap() {
    assertEquals(Path.of("/d/tracking-index/127.0.0.1_19093"),
        FederatedTrackingSearch.directoryOf(Path.of("/d/tracking-index"), "127.0.0.1:19093"));
    assertEquals(Path.of("/d/tracking-index/k1_9092_k2_9092"),
        FederatedTrackingSearch.directoryOf(Path.of("/d/tracking-index"), "K1:9092, k2:9092"));
  }
}
