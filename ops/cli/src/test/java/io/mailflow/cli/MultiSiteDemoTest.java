package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ops/demo/multi-site.yaml loads cleanly and routes as its comments say. */
class MultiSiteDemoTest {
  private static final Path DEMO = Path.of("../demo/multi-site.yaml");

  @TempDir Path dir;

  private static List<String> nextHops(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("route", "explain", "--config", config.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    assertEquals(0, cli.execute(all.toArray(String[]::new)), err.toString());
    return out.toString().lines().filter(l -> l.startsWith("next-hop key  "))
        .map(l -> l.substring("next-hop key  ".length())).toList();
  }

  @Test
  void demoLoadsWithThreeSitesAHubAndADagSpanningTwoSites() throws Exception {
    Organization org = OrganizationLoader.load(DEMO);

    assertEquals(List.of("Redmond", "Dublin", "Sydney"), org.sites().stream().map(s -> s.name()).toList());
    assertTrue(org.sites().get(0).hubSite());
    assertEquals(Set.of("Dublin", "Sydney"), org.databases().stream().filter(d -> "DAG1".equals(d.dag()))
        .flatMap(d -> d.copies().stream()).map(s -> org.server(s).orElseThrow().site()).collect(Collectors.toSet()));
  }

  @Test
  void everyoneGroupSplitsIntoLocalDeliveryHubRelayAndConnectors() {
    assertEquals(List.of("SmtpRelayToRemoteAdSite/Redmond", "SmtpDeliveryToMailbox/DB-DUB",
            "SmtpRelayToRemoteAdSite/Redmond", "SmtpRelayToRemoteAdSite/Redmond",
            "SmtpRelayToConnectorSourceServers/Internet/Internet"),
        nextHops(DEMO, "--recipient", "all@contoso.test", "--recipient", "someone@example.org"));
  }

  @Test
  void sydneyDownQueuesInTheHubAndFromTheHubSydneyIsItsDag() {
    assertEquals(List.of("SmtpRelayToRemoteAdSite/Redmond"),
        nextHops(DEMO, "--recipient", "sam@contoso.test", "--down-site", "Sydney"));
    assertEquals(List.of("SmtpRelayToDag/DAG1"), nextHops(DEMO, "--recipient", "sam@contoso.test", "--from-site",
        "Redmond"));
    assertEquals(List.of("SmtpRelayToConnectorSourceServers/Fabrikam Partner/Fabrikam Partner"),
        nextHops(DEMO, "--recipient", "pat@contoso.test", "--from-site", "Redmond"));
    assertEquals(List.of("SmartHostConnectorDelivery/127.0.0.1:2626/Fabrikam Partner"),
        nextHops(DEMO, "--recipient", "pat@contoso.test", "--from-site", "Sydney"));
  }

  @Test
  void whenTheDagFailsOverToDublinSydneysDatabaseIsDeliveredHere() throws Exception {
    Path failedOver = dir.resolve("failed-over.yaml");
    String demo = Files.readString(DEMO);
    String moved = demo.replace("copies: [EX-SYD1, EX-DUB1], activeServer: EX-SYD1",
        "copies: [EX-SYD1, EX-DUB1], activeServer: EX-DUB1");
    assertTrue(!moved.equals(demo), "the demo's DB-SYD line changed; update this test");
    Files.writeString(failedOver, moved);

    assertEquals(List.of("SmtpDeliveryToMailbox/DB-SYD"), nextHops(failedOver, "--recipient", "sam@contoso.test"));
  }
}
