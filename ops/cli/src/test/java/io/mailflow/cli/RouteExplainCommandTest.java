package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `mailflow route explain` on the issue's three-site scenario (A-B and A-C only), run in-process. */
class RouteExplainCommandTest {
  private static final Path THREE_SITES = Path.of("src/test/resources/route/three-sites.yaml");

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    void assertHasLine(String line) {
      assertTrue(lines().contains(line), "want line '" + line + "', got:\n" + out + err);
    }

    void assertNoLineStartingWith(String prefix) {
      assertTrue(lines().stream().noneMatch(l -> l.startsWith(prefix)), "got unwanted '" + prefix + "' in:\n" + out);
    }
  }

  private static Run explain(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("route", "explain", "--config", config.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  /** The three-site file with site A made a hub site. */
  private Path withHubA() throws Exception {
    Path file = dir.resolve("hub.yaml");
    Files.writeString(file, Files.readString(THREE_SITES).replace("{ name: A }", "{ name: A, hubSite: true }"));
    return file;
  }

  @Test
  void fromBToADatabaseInCGoesStraightToCWhenAIsNoHub() {
    Run run = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--from-site", "B");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("from          server EX-B in site B; message size 0 bytes");
    run.assertHasLine("  resolved    carol@contoso.test (mailbox, database DB-C)");
    run.assertHasLine("destination   mailbox database DB-C for carol@contoso.test");
    run.assertHasLine("  destination: mailbox database DB-C, active copy on EX-C in site C");
    run.assertHasLine("  path: B -[A-B:10]-> A -[A-C:10]-> C (cost 20)");
    run.assertNoLineStartingWith("  relay to site");
    run.assertHasLine("next-hop key  SmtpRelayToRemoteAdSite/C");
  }

  @Test
  void withAHubSiteTheSameMailIsRelayedThroughA() throws Exception {
    Run run = explain(withHubA(), "--recipient", "carol@contoso.test", "--from-site", "B");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("  path: B -[A-B:10]-> A -[A-C:10]-> C (cost 20)");
    run.assertHasLine("  hub sites on path: A");
    run.assertHasLine("  relay to site A first (hub site)");
    run.assertHasLine("next-hop key  SmtpRelayToRemoteAdSite/A");
  }

  @Test
  void withCDownTheMailQueuesInAThePointOfFailure() throws Exception {
    for (Path config : List.of(THREE_SITES, withHubA())) {
      Run run = explain(config, "--recipient", "carol@contoso.test", "--from-site", "B", "--down-site", "c");

      assertEquals(0, run.exit(), run.err());
      run.assertHasLine("  down sites: C");
      run.assertHasLine("  site C is down: the message queues in A (point of failure)");
      run.assertHasLine("next-hop key  SmtpRelayToRemoteAdSite/A");
    }
  }

  @Test
  void groupRecipientIsExpandedAndEachDestinationExplained() {
    Run run = explain(THREE_SITES, "--recipient", "team@contoso.test", "--recipient", "c.jones@contoso.test",
        "--recipient", "partner@example.org");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("from          server EX-B in site B; message size 0 bytes");
    run.assertHasLine("  EXPAND      team@contoso.test -> carol@contoso.test, bob@contoso.test");
    run.assertHasLine("  RESOLVE     c.jones@contoso.test -> carol@contoso.test");
    run.assertHasLine("  resolved    bob@contoso.test (mailbox, database DB-B)");
    run.assertHasLine("  resolved    partner@example.org (external)");
    run.assertHasLine("next-hop key  SmtpDeliveryToMailbox/DB-B");
    run.assertHasLine("next-hop key  SmtpRelayToRemoteAdSite/C");
    run.assertHasLine("destination   external domain example.org for partner@example.org");
    run.assertHasLine("next-hop key  SmtpRelayToConnectorSourceServers/Internet/Internet");
    assertEquals(1, run.lines().stream().filter(l -> l.startsWith("  resolved    carol@")).count(),
        "carol is named twice but resolved once");
  }

  @Test
  void fromAnotherSiteRoutesAsThatSitesServer() {
    Run run = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--from-site", "a");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("from          server EX-A in site A; message size 0 bytes");
    run.assertHasLine("  path: A -[A-C:10]-> C (cost 10)");
    run.assertHasLine("next-hop key  SmtpRelayToRemoteAdSite/C");
  }

  @Test
  void messageLargerThanALinkAllowsHasNoPath() {
    Run run = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--size", "10MB");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("from          server EX-B in site B; message size 10485760 bytes");
    run.assertHasLine("  unreachable: no site path from B to C for this message size");
    run.assertHasLine("next-hop key  Unreachable/Unreachable Domain");
  }

  @Test
  void unknownRecipientInTheAuthoritativeDomainIsShownFailing() {
    Run run = explain(THREE_SITES, "--recipient", "ghost@contoso.test");

    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("  FAIL        ghost@contoso.test: 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found");
    run.assertHasLine("  (no deliverable recipient)");
  }

  @Test
  void badOptionsAreReportedWithWhatExists() {
    Run unknownSite = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--from-site", "Z");
    assertEquals(2, unknownSite.exit());
    assertTrue(unknownSite.err().contains("--from-site: no site named 'Z' (known: A, B, C, Empty)"), unknownSite.err());

    Run unknownDown = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--down-site", "Q");
    assertEquals(2, unknownDown.exit());
    assertTrue(unknownDown.err().contains("--down-site: no site named 'Q'"), unknownDown.err());

    Run noServer = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--from-site", "Empty");
    assertEquals(2, noServer.exit());
    assertTrue(noServer.err().contains("--from-site: site 'Empty' has no server to route from"), noServer.err());

    Run badSize = explain(THREE_SITES, "--recipient", "carol@contoso.test", "--size", "big");
    assertEquals(2, badSize.exit());
    assertTrue(badSize.err().contains("--size: expected a size such as 36MB"), badSize.err());

    Run noRecipient = explain(THREE_SITES);
    assertEquals(2, noRecipient.exit());
    assertTrue(noRecipient.err().contains("Missing required option: '--recipient=ADDRESS'"), noRecipient.err());
  }

  @Test
  void badConfigExitsWithTheConfigStatusAndTheErrorsPlace() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "serverName: EX01\nacceptedDomains: [contoso.test]\nsiteLinks: [{name: L, sites: [X]}]\n");

    Run run = explain(bad, "--recipient", "a@contoso.test");

    assertEquals(Mailflow.EXIT_CONFIG, run.exit());
    assertTrue(run.err().contains("bad.yaml:3: siteLinks[0].sites"), run.err());
  }
}
