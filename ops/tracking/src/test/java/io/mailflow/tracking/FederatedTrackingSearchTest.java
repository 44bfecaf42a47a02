package io.mailflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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

  @Test
  void eachClusterHasADirectoryNamedByItsBootstrap() {
    assertEquals(Path.of("/d/tracking-index/127.0.0.1_19093"),
        FederatedTrackingSearch.directoryOf(Path.of("/d/tracking-index"), "127.0.0.1:19093"));
    assertEquals(Path.of("/d/tracking-index/k1_9092_k2_9092"),
        FederatedTrackingSearch.directoryOf(Path.of("/d/tracking-index"), "K1:9092, k2:9092"));
  }
}
