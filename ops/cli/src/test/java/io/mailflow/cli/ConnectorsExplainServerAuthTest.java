package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `mailflow connectors explain` for certificate-authenticated and externally secured server sessions. */
class ConnectorsExplainServerAuthTest {
  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void organization() throws Exception {
    SelfSignedCertificate.ensure(dir.resolve("ca"), List.of("ca.contoso.test")); // any PEM certificate will do
    config = Files.writeString(dir.resolve("org.yaml"), """
        serverName: EX01
        acceptedDomains: [contoso.test]
        servers: [ {name: EX01}, {name: EX02} ]
        transportConfig: {tlsReceiveDomainSecureList: [fabrikam.test]}
        receiveConnectors:
          - name: Servers
            bindings: ["0.0.0.0:2526"]
            permissionGroups: [AnonymousUsers, ExchangeServers, Partners]
            authMechanisms: [Tls, ExchangeServer]
            trustedCertificates: [ca/%s]
          - name: Secured Relay
            bindings: ["0.0.0.0:2527"]
            permissionGroups: [ExchangeServers]
            authMechanisms: [ExternalAuthoritative]
        """.formatted(SelfSignedCertificate.CERTIFICATE_FILE));
  }

  private String explain(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new java.util.ArrayList<>(List.of("connectors", "explain", "--config", config.toString()));
    all.addAll(List.of(args));
    assertEquals(0, cli.execute(all.toArray(String[]::new)), err.toString());
    return out.toString();
  }

  private static void assertLine(String out, String line) {
    assertTrue(out.lines().anyMatch(line::equals), "want line '" + line + "', got:\n" + out);
  }

  @Test
  void aCertificateNamingAServerOfTheOrganizationMayRelay() {
    String out = explain("--ip", "10.0.0.2", "--port", "2526", "--server-cert-name", "EX02.contoso.test");
    assertLine(out, "session as    ex02.contoso.test (Exchange Servers, TLS client certificate)");
    assertLine(out, "may relay     yes (RCPT TO:<someone@example.com>)");
  }

  @Test
  void aPartnerCertificateGetsThePartnersRightsOnly() {
    String out = explain("--ip", "198.51.100.7", "--port", "2526", "--server-cert-name", "mail.fabrikam.test");
    assertLine(out, "session as    fabrikam.test (MS Exchange\\Partner Servers, domain secure)");
    assertLine(out, "rights        ms-Exch-Accept-Headers-Routing, ms-Exch-SMTP-Submit");
    assertTrue(out.contains("may relay     no: 550 5.7.54"), out);
  }

  @Test
  void aCertificateNamingNobodyKnownLeavesTheSessionAnonymous() {
    String out = explain("--ip", "198.51.100.7", "--port", "2526", "--server-cert-name", "mail.stranger.test");
    assertTrue(out.contains("note          a certificate naming mail.stranger.test authenticates nobody here"), out);
    assertLine(out, "session as    anonymous (NT AUTHORITY\\ANONYMOUS LOGON)");
  }

  @Test
  void everySessionOnAnExternallySecuredConnectorIsAnExchangeServer() {
    String out = explain("--ip", "10.0.0.9", "--port", "2527");
    assertLine(out, "session as    MS Exchange\\Externally Secured Servers (ExternalAuthoritative)");
    assertLine(out, "may relay     yes (RCPT TO:<someone@example.com>)");
  }
}
