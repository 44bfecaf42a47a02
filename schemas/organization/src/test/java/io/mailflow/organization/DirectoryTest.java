package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Directory.RecipientScope;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirectoryTest {
  private static final String YAML = """
      serverName: EX01
      acceptedDomains:
        - { domainName: contoso.test, default: true }
        - "*.contoso.test"
        - { domainName: partner.test, type: InternalRelay }
        - { domainName: relay.test, type: ExternalRelay }
        - { domainName: "*.fabrikam.test", type: InternalRelay }
        - { domainName: hr.fabrikam.test, type: Authoritative }
      mailboxes:
        - { name: Alice, primarySmtpAddress: alice@contoso.test, proxyAddresses: [a.smith@contoso.test, alice@eu.contoso.test] }
        - { name: Bob, primarySmtpAddress: bob@contoso.test }
        - { name: Pat, primarySmtpAddress: pat@partner.test }
      groups:
        - { name: Team, primarySmtpAddress: team@contoso.test, members: [alice@contoso.test, bob@contoso.test] }
      """;

  private final Directory directory;

  DirectoryTest() throws OrganizationException {
    directory = Directory.of(OrganizationLoader.parse(YAML, "directory.yaml"));
  }

  @Test
  void findsMailboxByPrimaryAndByProxyAddress() {
    Mailbox alice = directory.findMailbox("alice@contoso.test").orElseThrow();
    assertEquals("Alice", alice.name());
    assertEquals(Optional.of(alice), directory.find("a.smith@contoso.test"));
    assertEquals(Optional.of(alice), directory.find("alice@eu.contoso.test"));
    assertEquals("alice@contoso.test", directory.find("a.smith@contoso.test").orElseThrow().primarySmtpAddress());
  }

  @Test
  void lookupIgnoresCaseOfLocalPartAndDomain() {
    assertEquals("Alice", directory.find("A.Smith@CONTOSO.Test").orElseThrow().name());
    assertEquals("Team", directory.find("TEAM@contoso.TEST").orElseThrow().name());
  }

  @Test
  void findsGroupsAsGroupsAndMailboxesAsMailboxes() {
    DirectoryEntry team = directory.find("team@contoso.test").orElseThrow();
    assertTrue(team instanceof DistributionGroup g && g.members().size() == 2);
    assertEquals(Optional.empty(), directory.findMailbox("team@contoso.test"));
    assertEquals(Optional.empty(), directory.findGroup("bob@contoso.test"));
  }

  @Test
  void unknownAndMalformedAddressesAreNotFound() {
    assertEquals(Optional.empty(), directory.find("carol@contoso.test"));
    assertEquals(Optional.empty(), directory.find("alice"));
    assertEquals(Optional.empty(), directory.find(""));
  }

  @Test
  void mailboxAnswersAllItsAddressesPrimaryFirst() {
    assertEquals(List.of("alice@contoso.test", "a.smith@contoso.test", "alice@eu.contoso.test"),
        directory.find("alice@contoso.test").orElseThrow().smtpAddresses());
    assertEquals(List.of("team@contoso.test"), directory.find("team@contoso.test").orElseThrow().smtpAddresses());
  }

  @Test
  void wildcardAcceptedDomainCoversSubdomainsButNotTheDomainItself() {
    assertTrue(directory.isAccepted("sales.fabrikam.test"));
    assertTrue(directory.isAccepted("a.b.fabrikam.test"));
    assertFalse(directory.isAccepted("fabrikam.test"));
    assertFalse(directory.isAccepted("notfabrikam.test"));
  }

  @Test
  void exactAcceptedDomainWinsOverWildcard() {
    assertTrue(directory.isAuthoritative("hr.fabrikam.test"), "exact Authoritative beats *.fabrikam.test InternalRelay");
    assertFalse(directory.isAuthoritative("it.fabrikam.test"));
    assertTrue(directory.isAuthoritative("CONTOSO.TEST"));
    assertTrue(directory.isAuthoritative("eu.contoso.test"));
    assertFalse(directory.isAuthoritative("partner.test"));
    assertFalse(directory.isAuthoritative("example.org"));
  }

  @Test
  void scopeTellsKnownUnknownRelayedAndOutsideRecipientsApart() {
    assertEquals(RecipientScope.LOCAL, directory.scope("bob@contoso.test"));
    assertEquals(RecipientScope.LOCAL, directory.scope("pat@partner.test"), "known, although in a relay domain");
    assertEquals(RecipientScope.UNKNOWN_LOCAL, directory.scope("carol@contoso.test"));
    assertEquals(RecipientScope.UNKNOWN_LOCAL, directory.scope("carol@hr.fabrikam.test"));
    assertEquals(RecipientScope.INTERNAL_RELAY, directory.scope("kim@partner.test"));
    assertEquals(RecipientScope.INTERNAL_RELAY, directory.scope("kim@it.fabrikam.test"));
    assertEquals(RecipientScope.EXTERNAL_RELAY, directory.scope("kim@relay.test"));
    assertEquals(RecipientScope.EXTERNAL, directory.scope("kim@example.org"));
    assertThrows(IllegalArgumentException.class, () -> directory.scope("not an address"));
  }

  @Test
  void entriesListsMailboxesThenGroups() {
    assertEquals(List.of("Alice", "Bob", "Pat", "Team"), directory.entries().stream().map(DirectoryEntry::name).toList());
  }

  @Test
  void demoDirectoryKnowsAliceBobAndTeam() {
    Directory demo = Directory.of(OrganizationLoader.demo());
    assertTrue(demo.findMailbox("alice@contoso.test").isPresent());
    assertTrue(demo.findMailbox("bob@contoso.test").isPresent());
    assertTrue(demo.findGroup("team@contoso.test").isPresent());
    assertTrue(demo.isAuthoritative("contoso.test"));
  }
}
