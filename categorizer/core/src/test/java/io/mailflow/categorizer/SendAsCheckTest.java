package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SendAsCheckTest {
  private static final Organization ORG = organization("""
      serverName: EX01
      acceptedDomains: [contoso.test]
      mailboxes:
        - { name: Alice, primarySmtpAddress: alice@contoso.test, proxyAddresses: [a.smith@contoso.test],
            sendAs: [team@contoso.test] }
        - { name: Bob, primarySmtpAddress: bob@contoso.test }
        - { name: Apps, primarySmtpAddress: apps@contoso.test }
      groups:
        - { name: Team, primarySmtpAddress: team@contoso.test, members: [alice@contoso.test, bob@contoso.test] }
        - { name: Senders, primarySmtpAddress: senders@contoso.test, members: [nested@contoso.test] }
        - { name: Nested, primarySmtpAddress: nested@contoso.test, members: [apps@contoso.test] }
      receiveConnectors:
        - { name: Client, bindings: ["127.0.0.1:2587"], permissionGroups: [ExchangeUsers], authMechanisms: [BasicAuth] }
        - { name: Apps, bindings: ["127.0.0.1:2588"], permissionGroups: [ExchangeUsers], authMechanisms: [BasicAuth],
            permissions: [ { user: senders@contoso.test, extendedRights: [ms-Exch-SMTP-Accept-Any-Sender] },
                           { user: bob@contoso.test, extendedRights: [ms-Exch-SMTP-Accept-Authoritative-Domain-Sender] } ] }
        - { name: Denied, bindings: ["127.0.0.1:2589"], permissionGroups: [ExchangeUsers], authMechanisms: [BasicAuth],
            permissions: [ { user: "NT AUTHORITY\\\\Authenticated Users", extendedRights: [ms-Exch-SMTP-Accept-Any-Sender] },
                           { user: apps@contoso.test, extendedRights: [ms-Exch-SMTP-Accept-Any-Sender], deny: true } ] }
      """);

  private final SendAsCheck check = new SendAsCheck(Directory.of(ORG), ORG.receiveConnectors());

  private static Organization organization(String yaml) {
    try {
      return OrganizationLoader.parse(yaml, "send-as.yaml");
    } catch (io.mailflow.organization.OrganizationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private Optional<String> refused(String user, String connector, String header) {
    return check.refusedSender(user, connector, (header + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void ownAddressesAndSendAsGrantsMayBeUsedInFromAndSender() {
    assertEquals(Optional.empty(), refused("alice@contoso.test", "Client", "From: Alice <A.Smith@contoso.test>"));
    assertEquals(Optional.empty(), refused("alice@contoso.test", "Client",
        "From: team@contoso.test\r\nSender: alice@contoso.test"));
  }

  @Test
  void anyOtherFromOrSenderIsRefused() {
    assertEquals(Optional.of("bob@contoso.test"), refused("alice@contoso.test", "Client", "From: bob@contoso.test"));
    assertEquals(Optional.of("ceo@example.org"), refused("bob@contoso.test", "Client",
        "From: bob@contoso.test\r\nSender: ceo@example.org"));
    assertEquals(Optional.of("team@contoso.test"), refused("bob@contoso.test", "Client", "From: team@contoso.test"),
        "membership of a group is not Send As on it");
  }

  @Test
  void anonymousSubmissionsAreNotChecked() {
    assertEquals(Optional.empty(), refused(null, "Client", "From: ceo@example.org"));
  }

  @Test
  void acceptAnySenderOnTheConnectorSkipsTheCheckForMembersOfTheGrantedGroupNested() {
    assertEquals(Optional.empty(), refused("apps@contoso.test", "Apps", "From: anyone@example.org"));
    assertEquals(Optional.of("anyone@example.org"), refused("apps@contoso.test", "Client", "From: anyone@example.org"));
  }

  @Test
  void acceptAuthoritativeDomainSenderCoversOnlyAuthoritativeDomains() {
    assertEquals(Optional.empty(), refused("bob@contoso.test", "Apps", "From: alice@contoso.test"));
    assertEquals(Optional.of("x@example.org"), refused("bob@contoso.test", "Apps", "From: x@example.org"));
  }

  @Test
  void aDenialWinsOverAGrantToAuthenticatedUsers() {
    assertEquals(Optional.empty(), refused("bob@contoso.test", "Denied", "From: x@example.org"));
    assertEquals(Optional.of("x@example.org"), refused("apps@contoso.test", "Denied", "From: x@example.org"));
  }

  @Test
  void anUnknownConnectorGrantsNothingExtra() {
    assertEquals(Optional.of("x@example.org"), refused("bob@contoso.test", "Gone", "From: x@example.org"));
  }

  @Test
  void aMessageWithoutFromIsNotRefused() {
    assertEquals(Optional.empty(), refused("bob@contoso.test", "Client", "Subject: hi"));
  }
}
