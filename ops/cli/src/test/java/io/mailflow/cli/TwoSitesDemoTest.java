package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** ops/demo/two-sites: both nodes' configs load, describe one organization, and route to each other. */
class TwoSitesDemoTest {
  private static final Path DEMO = Path.of("../demo/two-sites");
  private static final Path EX01 = DEMO.resolve("ex01.yaml");
  private static final Path EX02 = DEMO.resolve("ex02.yaml");

  private static List<String> nextHops(Path config, String... recipients) {
    List<String> all = new ArrayList<>(List.of("route", "explain", "--config", config.toString()));
    for (String r : recipients) {
      all.addAll(List.of("--recipient", r));
    }
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
  void bothConfigsAreOneOrganizationSeenFromEachServer() throws Exception {
    Organization ex01 = OrganizationLoader.load(EX01);
    Organization ex02 = OrganizationLoader.load(EX02);
    assertEquals(List.of("EX01", "A", "EX02", "B"),
        List.of(ex01.serverName(), ex01.siteName(), ex02.serverName(), ex02.siteName()));
    assertEquals(ex01.servers(), ex02.servers());
    assertEquals(ex01.databases(), ex02.databases());
    assertEquals(ex01.mailboxes(), ex02.mailboxes());
  }

  @Test
  void eachServersSmtpEndpointIsTheOtherNodesServersConnector() throws Exception {
    for (Path config : List.of(EX01, EX02)) {
      Organization org = OrganizationLoader.load(config);
      Server self = org.server(org.serverName()).orElseThrow();
      ReceiveConnector forServers = org.receiveConnectors().stream()
          .filter(c -> c.name().equals("Default " + org.serverName())).findFirst().orElseThrow();
      assertEquals(self.smtp().toString(), forServers.bindings().get(0).toString(), config.toString());
    }
  }

  @Test
  void mailForTheOtherSiteIsRelayedThereAndLocalMailStays() {
    assertEquals(List.of("SmtpDeliveryToMailbox/DB-A", "SmtpRelayToRemoteAdSite/B", "SmtpRelayToDag/DAG1"),
        nextHops(EX01, "alice@contoso.test", "bob@contoso.test", "dave@contoso.test"));
    List<String> fromB = nextHops(EX02, "alice@contoso.test", "bob@contoso.test");
    assertEquals(List.of("SmtpRelayToRemoteAdSite/A", "SmtpDeliveryToMailbox/DB-B"), fromB);
  }

  @Test
  void runScriptStartsBothNodesWithTheirOwnDataDirAndKafkaPortAndStopsThemByPid() throws Exception {
    String script = Files.readString(DEMO.resolve("run.sh"));
    assertTrue(Files.isExecutable(DEMO.resolve("run.sh")));
    for (String expected : List.of("ex01.yaml\" --data-dir \"$data/ex01\" --kafka-port 19092",
        "ex02.yaml\" --data-dir \"$data/ex02\" --kafka-port 19093", "trap stop EXIT", "trap 'exit 130' INT TERM", "kill \"$pid\"")) {
      assertTrue(script.contains(expected), expected);
    }
  }
}
