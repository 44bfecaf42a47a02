package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one rule for this server's FQDN, and a connector's own fqdn over the server name. */
class ServerFqdnTest {

  private static Organization org(String serverName, AcceptedDomain... domains) {
    return new Organization(serverName, "Default-Site", KafkaTopics.defaults(), List.of(domains), List.of(),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
  }

  private static AcceptedDomain domain(String name, boolean isDefault) {
    return new AcceptedDomain(name, AcceptedDomain.DomainType.Authoritative, isDefault);
  }

  // moved from delivery/agent's DsnGeneratorTest (DsnGenerator.serverFqdn, DsnSubmission.serverFqdn)
  @Test
  void serverFqdnIsTheServerNameUnderTheDefaultDomainUnlessItHasADot() {
    assertEquals("EX01.contoso.test", org("EX01", domain("fabrikam.test", false), domain("contoso.test", true))
        .serverFqdn());
    assertEquals("mx1.fabrikam.test", org("mx1.fabrikam.test", domain("contoso.test", true)).serverFqdn());
    assertEquals("EX01.contoso.test", org("EX01", domain("*.contoso.test", true)).serverFqdn());
    assertEquals("EX01", org("EX01").serverFqdn());
  }

  @Test
  void withoutADefaultTheFirstAcceptedDomainNamesTheServer() {
    assertEquals("EX01.fabrikam.test", org("EX01", domain("fabrikam.test", false), domain("contoso.test", false))
        .serverFqdn());
  }

  @Test
  void aConnectorsOwnFqdnWinsElseTheServerName() {
    Organization org = org("EX01", domain("contoso.test", true));
    assertEquals("mail.contoso.test", org.connectorFqdn("mail.contoso.test"));
    assertEquals("EX01", org.connectorFqdn(null));
    assertEquals("EX01", org.connectorFqdn(" "));
  }
}
