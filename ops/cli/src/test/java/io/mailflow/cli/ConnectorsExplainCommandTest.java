package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `mailflow connectors explain` in-process: connector choice, rights and what the session may do. */
class ConnectorsExplainCommandTest {
  private static final Path SHARED = Path.of("src/test/resources/connectors/shared-binding.yaml");

  private record Run(int exit, String out, String err) {
    void assertHasLine(String line) {
      assertTrue(out.lines().anyMatch(line::equals), "want line '" + line + "', got:\n" + out + err);
    }
  }

  private static Run explain(String... args) {
    List<String> all = new ArrayList<>(List.of("connectors", "explain", "--config", SHARED.toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aLanClientGetsTheMoreSpecificConnectorOnTheSharedBindingAndMayRelay() {
    Run run = explain("--ip", "10.1.2.3", "--port", "25");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("binding       0.0.0.0:25 (connectors: 'Default Frontend EX01', 'Lan Relay')");
    run.assertHasLine("  candidate   'Default Frontend EX01': range 0.0.0.0-255.255.255.255 matches (4294967296 addresses)");
    run.assertHasLine("  candidate   'Lan Relay': range 10.1.0.0/16 matches (65536 addresses)");
    run.assertHasLine("connector     'Lan Relay': remote IP range 10.1.0.0/16 (65536 addresses) is the most specific match");
    run.assertHasLine("may relay     yes (RCPT TO:<someone@example.com>)");
    run.assertHasLine("rights        ms-Exch-Accept-Headers-Routing, ms-Exch-SMTP-Accept-Any-Recipient, "
        + "ms-Exch-SMTP-Accept-Any-Sender, ms-Exch-SMTP-Accept-Authoritative-Domain-Sender, ms-Exch-SMTP-Submit");
  }

  @Test
  void anInternetClientGetsTheDefaultFrontendWhichNeitherRelaysNorLetsItSpoofTheOrganization() {
    Run run = explain("--ip", "203.0.113.5", "--port", "25");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("  candidate   'Lan Relay': no remote IP range holds the client (10.1.0.0/16)");
    run.assertHasLine("connector     'Default Frontend EX01': remote IP range 0.0.0.0-255.255.255.255 "
        + "(4294967296 addresses) is the most specific match");
    run.assertHasLine("permission    deny NT AUTHORITY\\ANONYMOUS LOGON: ms-Exch-SMTP-Accept-Authoritative-Domain-Sender");
    run.assertHasLine("may submit    yes");
    run.assertHasLine("may relay     no: 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain "
        + "(RCPT TO:<someone@example.com>)");
    run.assertHasLine("send as org   no: 550 5.7.60 SMTP; Client does not have permissions to send as this sender "
        + "(MAIL FROM:<not-someone@contoso.test>, authoritative domain contoso.test)");
    run.assertHasLine("send as any   yes (MAIL FROM:<someone@example.com>)");
  }

  @Test
  void anAuthenticatedUserMayRelayAndSendAsHerselfButNotAsOthers() {
    Run run = explain("--ip", "198.51.100.7", "--port", "587", "--user", "Alice@Contoso.test");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("session as    alice@contoso.test");
    run.assertHasLine("limits        maxMessageSize 37748736 bytes, maxRecipientsPerMessage 200, "
        + "messageRateLimit 5/min per User");
    run.assertHasLine("may relay     yes (RCPT TO:<someone@example.com>)");
    run.assertHasLine("send as self  yes (MAIL FROM:<alice@contoso.test>)");
    run.assertHasLine("send as org   no: 550 5.7.60 SMTP; Client does not have permissions to send as this sender "
        + "(MAIL FROM:<not-alice@contoso.test>, authoritative domain contoso.test)");
  }

  @Test
  void withoutAuthenticationTheClientFrontendGivesNothing() {
    Run run = explain("--ip", "198.51.100.7", "--port", "587");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("rights        none");
    run.assertHasLine("may submit    no: 530 5.7.57 SMTP; Client was not authenticated to send anonymous mail "
        + "during MAIL FROM");
  }

  @Test
  void aClientNoRangeHoldsIsRefusedWith421() {
    Run run = explain("--ip", "192.0.2.1", "--port", "2526");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("connector     none: the client gets '421 4.3.2 Service not available, closing transmission "
        + "channel' and is disconnected");
  }

  @Test
  void aPortNoConnectorListensOnIsSaidSo() {
    Run run = explain("--ip", "192.0.2.1", "--port", "2999");
    assertEquals(0, run.exit(), run.err());
    run.assertHasLine("no receive connector listens on port 2999: the connection is refused");
  }

  @Test
  void badIpAndUnknownUserAreUsageErrorsNamingTheOption() {
    Run badIp = explain("--ip", "10.1.2", "--port", "25");
    assertEquals(2, badIp.exit());
    assertTrue(badIp.err().contains("--ip: '10.1.2' is not an IPv4 or IPv6 address"), badIp.err());
    Run unknown = explain("--ip", "10.1.2.3", "--port", "25", "--user", "mallory@contoso.test");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("--user: no mailbox has the address 'mallory@contoso.test'"), unknown.err());
  }
}
