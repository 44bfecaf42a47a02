package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.SendConnector.Security;
import io.mailflow.organization.SendConnector.SmartHostAuthMechanism;
import io.mailflow.organization.SendConnector.TlsAuthLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendConnectorSecurityTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\nsendConnectors:\n";

  @TempDir
  Path dir;

  private Organization load(String connectors) throws Exception {
    Path file = dir.resolve("org.yaml");
    Files.writeString(file, HEAD + connectors);
    return OrganizationLoader.load(file);
  }

  private List<String> errors(String connectors) {
    try {
      load(connectors);
    } catch (OrganizationException e) {
      return e.errors();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    fail("loaded: " + connectors);
    return List.of();
  }

  @Test
  void defaultIsOpportunisticTlsWithoutAuth() throws Exception {
    Organization org = load("  - {name: Internet, addressSpaces: ['*']}\n");
    assertEquals(Security.DEFAULT, org.sendConnectors().get(0).security());
  }

  @Test
  void protocolLoggingLevelIsNoneUnlessVerboseIsAskedFor() throws Exception {
    Organization org = load("  - {name: Internet, addressSpaces: ['*']}\n"
        + "  - {name: Logged, addressSpaces: [fabrikam.test], protocolLoggingLevel: Verbose}\n");
    assertEquals(ReceiveConnector.ProtocolLoggingLevel.None, org.sendConnectors().get(0).protocolLoggingLevel());
    assertFalse(org.sendConnectors().get(0).protocolLogged());
    assertEquals(ReceiveConnector.ProtocolLoggingLevel.Verbose, org.sendConnectors().get(1).protocolLoggingLevel());
  }

  @Test
  void anUnknownProtocolLoggingLevelIsRefusedNamingTheConnectorsKey() {
    List<String> errors = errors("  - {name: Internet, addressSpaces: ['*'], protocolLoggingLevel: Loud}\n");
    assertEquals(1, errors.size(), errors.toString());
    org.junit.jupiter.api.Assertions.assertTrue(errors.get(0).startsWith("sendConnectors[0].protocolLoggingLevel:")
        && errors.get(0).contains("Loud") && errors.get(0).contains("Verbose"), errors.get(0));
  }

  @Test
  void requiredDomainValidationAndBasicAuthAreRead() throws Exception {
    Files.writeString(dir.resolve("relay.password"), "s3cret\n");
    Organization org = load("  - name: Relay\n    addressSpaces: ['*']\n    smartHosts: [relay.contoso.test]\n"
        + "    requireTls: true\n    tlsAuthLevel: DomainValidation\n    tlsDomain: relay.contoso.test\n"
        + "    smartHostAuthMechanism: BasicAuthRequireTLS\n"
        + "    authenticationCredential: {username: mailflow, passwordFile: relay.password}\n");
    Security s = org.sendConnectors().get(0).security();
    assertEquals(true, s.requireTls());
    assertEquals(TlsAuthLevel.DomainValidation, s.tlsAuthLevel());
    assertEquals("relay.contoso.test", s.tlsDomain());
    assertEquals(SmartHostAuthMechanism.BasicAuthRequireTLS, s.smartHostAuthMechanism());
    assertEquals("mailflow", s.credential().username());
    assertEquals("s3cret", s.credential().password());
    assertFalse(s.toString().contains("s3cret"), s.toString());
    assertNull(Security.DEFAULT.credential());
  }

  @Test
  void inconsistentTlsSettingsAreReportedWithTheirPaths() {
    assertEquals(List.of("sendConnectors[0].tlsAuthLevel: needs requireTls: true (as in Exchange); opportunistic TLS"
        + " checks no certificate"), errors("  - {name: A, addressSpaces: ['*'], tlsAuthLevel: CertificateValidation}\n"));
    assertEquals(List.of("sendConnectors[0].tlsDomain: required with tlsAuthLevel DomainValidation: the domain the"
        + " certificate must name"),
        errors("  - {name: A, addressSpaces: ['*'], requireTls: true, tlsAuthLevel: DomainValidation}\n"));
  }

  @Test
  void basicAuthNeedsSmartHostsAndAReadablePasswordFile() {
    List<String> errors = errors("  - {name: A, addressSpaces: ['*'], smartHostAuthMechanism: BasicAuth,"
        + " authenticationCredential: {username: u, passwordFile: missing.password}}\n");
    assertEquals(2, errors.size(), errors.toString());
    assertEquals("sendConnectors[0].smartHostAuthMechanism: BasicAuth authenticates to smart hosts: the connector"
        + " has none", errors.get(0));
    assertEquals("sendConnectors[0].authenticationCredential.passwordFile: cannot read "
        + dir.resolve("missing.password") + ": NoSuchFileException", errors.get(1));
    assertEquals(List.of("sendConnectors[0].authenticationCredential: required with smartHostAuthMechanism BasicAuth:"
        + " {username, passwordFile}"),
        errors("  - {name: A, addressSpaces: ['*'], smartHosts: [r.test], smartHostAuthMechanism: BasicAuth}\n"));
  }
}
