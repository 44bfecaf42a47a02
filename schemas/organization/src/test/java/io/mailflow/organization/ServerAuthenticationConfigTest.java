package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server authentication settings (ExchangeServer, ExternalAuthoritative, domain security) and the default connector set. */
class ServerAuthenticationConfigTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  @Test
  void exchangeServerAuthenticationTakesTrustedCertificatesRelativeToTheFile(@TempDir Path dir) throws Exception {
    Files.copy(resource("tls/cert.pem"), dir.resolve("ca.pem"));
    Path file = Files.writeString(dir.resolve("org.yaml"), HEAD + "receiveConnectors:\n"
        + "  - name: Servers\n    bindings: [\"127.0.0.1:2526\"]\n    permissionGroups: [ExchangeServers, Partners]\n"
        + "    authMechanisms: [Tls, ExchangeServer]\n    trustedCertificates: [ca.pem]\n"
        + "transportConfig:\n  tlsReceiveDomainSecureList: [Fabrikam.test]\n");
    Organization org = OrganizationLoader.load(file);
    ReceiveConnector c = org.receiveConnectors().get(0);
    assertEquals(List.of(dir.resolve("ca.pem").toAbsolutePath().toString()), c.trustedCertificates());
    assertTrue(c.requestsClientCertificate());
    assertFalse(c.externallySecured());
    assertEquals(List.of("fabrikam.test"), org.transportConfig().tlsReceiveDomainSecureList());
  }

  @Test
  void externallySecuredConnectorsNeedTheExchangeServersGroup() throws Exception {
    ReceiveConnector ok = OrganizationLoader.parse(HEAD + "receiveConnectors:\n  - {name: Relay, bindings: "
        + "[\"127.0.0.1:2527\"], permissionGroups: [ExchangeServers], authMechanisms: [ExternalAuthoritative]}\n",
        "org.yaml").receiveConnectors().get(0);
    assertTrue(ok.externallySecured());
    assertEquals(List.of("receiveConnectors[0].authMechanisms: ExternalAuthoritative needs permissionGroups "
            + "ExchangeServers (as in Exchange): every session on the connector is treated as an authenticated "
            + "Exchange server"),
        errorsOf(HEAD + "receiveConnectors:\n  - {name: Relay, bindings: [\"127.0.0.1:2527\"], "
            + "authMechanisms: [ExternalAuthoritative]}\n"));
  }

  @Test
  void requireTlsDefaultsToOffAndNeedsTls() throws Exception {
    String tls = HEAD + "receiveConnectors:\n  - {name: Strict, bindings: [\"127.0.0.1:2527\"], "
        + "authMechanisms: [Tls], requireTls: true}\n";
    assertTrue(OrganizationLoader.parse(tls, "org.yaml").receiveConnectors().get(0).requireTls());
    assertFalse(OrganizationLoader.parse(HEAD + "receiveConnectors:\n  - {name: Plain, bindings: "
        + "[\"127.0.0.1:2527\"]}\n", "org.yaml").receiveConnectors().get(0).requireTls(), "Exchange's default");
    assertEquals(List.of("receiveConnectors[0].requireTls: requireTls needs authMechanisms Tls (or implicitTls: "
            + "true): otherwise no session could ever send mail"),
        errorsOf(HEAD + "receiveConnectors:\n  - {name: Strict, bindings: [\"127.0.0.1:2527\"], "
            + "authMechanisms: [None], requireTls: true}\n"));
  }

  @Test
  void exchangeServerAuthenticationWithoutTlsOrTrustedCertificatesIsAConfigErrorWithItsLine() throws Exception {
    String yaml = HEAD + "receiveConnectors:\n"
        + "  - name: NoTls\n    bindings: [\"127.0.0.1:1\"]\n    permissionGroups: [ExchangeServers]\n"
        + "    authMechanisms: [ExchangeServer]\n"
        + "  - name: NoTrust\n    bindings: [\"127.0.0.1:2\"]\n    permissionGroups: [ExchangeServers]\n"
        + "    authMechanisms: [Tls, ExchangeServer]\n"
        + "  - name: TrustWithoutTls\n    bindings: [\"127.0.0.1:3\"]\n    authMechanisms: [None]\n"
        + "    trustedCertificates: [" + resource("tls/cert.pem") + "]\n"
        + "transportConfig: {tlsReceiveDomainSecureList: [\"*.fabrikam.test\"]}\n";
    OrganizationException e = assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(yaml, "org.yaml"));
    assertEquals(List.of(
        "receiveConnectors[0].authMechanisms: ExchangeServer authenticates servers by their TLS client certificate: "
            + "it needs Tls (or implicitTls: true)",
        "receiveConnectors[0].authMechanisms: ExchangeServer needs trustedCertificates: the PEM CA (or server) "
            + "certificates a server's client certificate must chain to",
        "receiveConnectors[1].authMechanisms: ExchangeServer needs trustedCertificates: the PEM CA (or server) "
            + "certificates a server's client certificate must chain to",
        "receiveConnectors[2].trustedCertificates: client certificates are asked for in the TLS handshake: the "
            + "connector needs authMechanisms Tls (or implicitTls: true)",
        "transportConfig.tlsReceiveDomainSecureList[0]: '*.fabrikam.test' is not a domain name (Exchange's "
            + "TLSReceiveDomainSecureList takes domains, no wildcards)"), e.errors());
    assertTrue(e.getMessage().contains("org.yaml:7: receiveConnectors[0].authMechanisms: ExchangeServer "
        + "authenticates"), e.getMessage());
  }

  @Test
  void withoutReceiveConnectorsTheServerGetsExchangesFrontEndSet() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD, "org.yaml");
    List<ReceiveConnector> connectors = org.receiveConnectors();
    assertEquals(List.of("Default Frontend EX01", "Client Frontend EX01", "Client Frontend TLS EX01"),
        connectors.stream().map(ReceiveConnector::name).toList());
    ReceiveConnector frontend = connectors.get(0);
    assertEquals(List.of(new Binding("0.0.0.0", 25)), frontend.bindings());
    assertEquals(Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeServers), frontend.permissionGroups());
    assertEquals(Set.of(AuthMechanism.Tls), frontend.authMechanisms());
    assertEquals(ReceiveConnector.UNLIMITED, frontend.messageRateLimit());
    assertEquals("ex01.contoso.test", frontend.fqdn());
    for (ReceiveConnector client : connectors.subList(1, 3)) {
      assertEquals(Set.of(PermissionGroup.ExchangeUsers), client.permissionGroups());
      assertEquals(Set.of(AuthMechanism.Tls, AuthMechanism.BasicAuth, AuthMechanism.BasicAuthRequireTLS),
          client.authMechanisms());
      assertEquals(5, client.messageRateLimit());
      assertEquals(MessageRateSource.User, client.messageRateSource());
      assertEquals(ReceiveConnector.DEFAULT_MAX_MESSAGE_SIZE, client.maxMessageSize());
    }
    assertEquals(List.of(new Binding("0.0.0.0", 587)), connectors.get(1).bindings());
    assertFalse(connectors.get(1).implicitTls());
    assertEquals(List.of(new Binding("0.0.0.0", 465)), connectors.get(2).bindings());
    assertTrue(connectors.get(2).implicitTls(), "RFC 8314 submission: TLS from the first byte");
  }

  @Test
  void anExplicitEmptyListMeansNoListenerAndTheDemoKeepsItsOwnPorts() throws Exception {
    assertEquals(List.of(), OrganizationLoader.parse(HEAD + "receiveConnectors: []\n", "org.yaml").receiveConnectors());
    assertEquals(List.of(2525, 2587), OrganizationLoader.demo().receiveConnectors().stream()
        .map(c -> c.bindings().get(0).port()).toList());
  }

  private static List<String> errorsOf(String yaml) {
    return assertThrows(OrganizationException.class, () -> OrganizationLoader.parse(yaml, "org.yaml")).errors();
  }

  private static Path resource(String name) throws Exception {
    return Path.of(ServerAuthenticationConfigTest.class.getClassLoader().getResource(name).toURI());
  }
}
