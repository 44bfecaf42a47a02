package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipientResolverTest {
  private static final Organization ORG = organization("""
      serverName: EX01
      siteName: Site-A
      acceptedDomains:
        - { domainName: contoso.test, type: Authoritative, default: true }
        - { domainName: relay.contoso.test, type: InternalRelay }
      mailboxes:
        - { name: Alice, primarySmtpAddress: alice@contoso.test, proxyAddresses: [a.smith@contoso.test] }
        - { name: Bob, primarySmtpAddress: bob@contoso.test }
        - { name: Carol, primarySmtpAddress: carol@contoso.test }
      groups:
        - { name: Team, primarySmtpAddress: team@contoso.test, members: [alice@contoso.test, bob@contoso.test] }
        - { name: All, primarySmtpAddress: all@contoso.test,
            members: [team@contoso.test, carol@contoso.test, a.smith@contoso.test, partner@fabrikam.test] }
        - { name: Loop1, primarySmtpAddress: loop1@contoso.test, members: [loop2@contoso.test, bob@contoso.test] }
        - { name: Loop2, primarySmtpAddress: loop2@contoso.test, members: [loop1@contoso.test, carol@contoso.test] }
      """);

  private static Organization organization(String yaml) {
    try {
      return OrganizationLoader.parse(yaml, "test-organization.yaml");
    } catch (io.mailflow.organization.OrganizationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private final RecipientResolver resolver = new RecipientResolver(ORG, Directory.of(ORG));

  private static List<String> addresses(ResolvedRecipients resolved) {
    return resolved.deliverable().stream().map(Resolution::address).toList();
  }

  @Test
  void proxyAddressResolvesToThePrimaryAddressOfItsMailbox() {
    ResolvedRecipients resolved = resolver.resolve(List.of("A.Smith@CONTOSO.test"));

    assertEquals(List.of("alice@contoso.test"), addresses(resolved));
    Resolution alice = resolved.deliverable().get(0);
    assertEquals(Resolution.Kind.MAILBOX, alice.kind());
    assertEquals("DB01", alice.database());
    assertEquals("A.Smith@CONTOSO.test", alice.envelopeAddress());
    assertEquals(List.of(new ResolutionEvent(ResolutionEventId.RESOLVE, List.of("alice@contoso.test"), List.of(),
        "A.Smith@CONTOSO.test")), resolved.events());
  }

  @Test
  void groupExpandsToItsMembers() {
    ResolvedRecipients resolved = resolver.resolve(List.of("team@contoso.test"));

    assertEquals(List.of("alice@contoso.test", "bob@contoso.test"), addresses(resolved));
    assertEquals("team@contoso.test", resolved.deliverable().get(1).expandedFrom());
    assertEquals(ResolutionEventId.EXPAND, resolved.events().get(0).eventId());
    assertEquals("team@contoso.test", resolved.events().get(0).related());
  }

  @Test
  void nestedGroupsDeliverEachMemberOnceIncludingExternalOnes() {
    ResolvedRecipients resolved = resolver.resolve(List.of("all@contoso.test", "bob@contoso.test"));

    assertEquals(List.of("alice@contoso.test", "bob@contoso.test", "carol@contoso.test", "partner@fabrikam.test"),
        addresses(resolved));
    assertEquals(Resolution.Kind.EXTERNAL, resolved.deliverable().get(3).kind());
    assertEquals(1, resolved.events().stream().filter(e -> e.eventId() == ResolutionEventId.DUPLICATEEXPAND).count(),
        "alice named twice inside all@ (directly by proxy address and through team@): " + resolved.events());
  }

  @Test
  void groupsThatContainEachOtherAreExpandedOnce() {
    ResolvedRecipients resolved = resolver.resolve(List.of("loop1@contoso.test"));

    assertEquals(List.of("carol@contoso.test", "bob@contoso.test"), addresses(resolved));
    assertEquals(2, resolved.events().stream().filter(e -> e.eventId() == ResolutionEventId.EXPAND).count());
  }

  @Test
  void unknownRecipientInAnAuthoritativeDomainFailsWithExchangesStatus() {
    ResolvedRecipients resolved = resolver.resolve(List.of("nobody@contoso.test", "bob@contoso.test"));

    assertEquals(List.of("bob@contoso.test"), addresses(resolved));
    assertEquals(List.of(new ResolutionEvent(ResolutionEventId.FAIL, List.of("nobody@contoso.test"),
        List.of("550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found"), null)), resolved.events());
  }

  @Test
  void unknownRecipientInAnInternalRelayDomainGoesOnAsExternal() {
    ResolvedRecipients resolved = resolver.resolve(List.of("someone@relay.contoso.test"));

    assertEquals(List.of("someone@relay.contoso.test"), addresses(resolved));
    assertEquals(Resolution.Kind.EXTERNAL, resolved.deliverable().get(0).kind());
    assertEquals(List.of(), resolved.events());
  }
}
