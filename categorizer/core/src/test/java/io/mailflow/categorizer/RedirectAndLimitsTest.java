package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.TransportConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RedirectAndLimitsTest {
  private static final Organization ORG = organization("""
      serverName: EX01
      acceptedDomains:
        - { domainName: contoso.test, default: true }
        - { domainName: relay.contoso.test, type: InternalRelay }
      mailboxes:
        - { name: Alice, primarySmtpAddress: alice@contoso.test }
      contacts:
        - { name: Pat Partner, primarySmtpAddress: pat@contoso.test, externalEmailAddress: Pat@Fabrikam.test }
        - { name: Alias of Alice, primarySmtpAddress: alias@contoso.test, externalEmailAddress: alice@contoso.test }
        - { name: Via Pat, primarySmtpAddress: viapat@contoso.test, externalEmailAddress: pat@contoso.test }
      mailUsers:
        - { name: Sam Remote, primarySmtpAddress: sam@contoso.test, externalEmailAddress: sam@relay.contoso.test }
      groups:
        - { name: Partners, primarySmtpAddress: partners@contoso.test,
            members: [pat@contoso.test, viapat@contoso.test, alice@contoso.test] }
      """);

  private final RecipientResolver resolver = new RecipientResolver(ORG, Directory.of(ORG));

  private static Organization organization(String yaml) {
    try {
      return OrganizationLoader.parse(yaml, "test-organization.yaml");
    } catch (OrganizationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @Test
  void mailContactIsRedirectedToItsExternalAddressWithARedirectEvent() {
    ResolvedRecipients resolved = resolver.resolve(List.of("PAT@contoso.test"));

    assertEquals(List.of(new Resolution("Pat@Fabrikam.test", "PAT@contoso.test", Resolution.Kind.EXTERNAL, null, null)),
        resolved.deliverable());
    assertEquals(List.of(
        new ResolutionEvent(ResolutionEventId.REDIRECT, List.of("Pat@Fabrikam.test"), List.of(), "PAT@contoso.test")),
        resolved.events());
  }

  @Test
  void mailUserIsRedirectedAndItsTargetInAnInternalRelayDomainGoesOnAsExternal() {
    ResolvedRecipients resolved = resolver.resolve(List.of("sam@contoso.test"));

    assertEquals(List.of("sam@relay.contoso.test"), resolved.deliverable().stream().map(Resolution::address).toList());
    assertEquals(Resolution.Kind.EXTERNAL, resolved.deliverable().get(0).kind());
    assertEquals(ResolutionEventId.REDIRECT, resolved.events().get(0).eventId());
  }

  @Test
  void contactWhoseTargetIsAMailboxDeliversToTheMailbox() {
    ResolvedRecipients resolved = resolver.resolve(List.of("alias@contoso.test"));

    assertEquals(List.of(new Resolution("alice@contoso.test", "alias@contoso.test", Resolution.Kind.MAILBOX, "DB01",
        null)), resolved.deliverable());
  }

  @Test
  void redirectsInsideAGroupDeliverEachTargetOnceAndKeepTheGroup() {
    ResolvedRecipients resolved = resolver.resolve(List.of("partners@contoso.test"));

    assertEquals(List.of("Pat@Fabrikam.test", "alice@contoso.test"),
        resolved.deliverable().stream().map(Resolution::address).toList());
    assertEquals("partners@contoso.test", resolved.deliverable().get(0).expandedFrom());
    assertEquals(List.of(ResolutionEventId.EXPAND, ResolutionEventId.REDIRECT, ResolutionEventId.REDIRECT),
        resolved.events().stream().map(ResolutionEvent::eventId).toList(),
        "viapat redirects to pat, which was already redirected: the target is not delivered twice");
  }

  @Test
  void recipientsUpToTheExpansionSizeLimitMakeOneCopyAndMoreAreSplitInOrder() {
    EnvelopeLimits limits = new EnvelopeLimits(new TransportConfig(10, 2));
    ResolvedRecipients five = external(5);

    EnvelopeLimits.Copies copies = limits.apply(List.of("list@contoso.test"), five);

    assertEquals(List.of(List.of("r0@example.org", "r1@example.org"), List.of("r2@example.org", "r3@example.org"),
        List.of("r4@example.org")), copies.copies().stream()
        .map(c -> c.stream().map(Resolution::address).toList()).toList());
    assertTrue(copies.failure().isEmpty());
    assertEquals(1, limits.apply(List.of(), external(2)).copies().size());
    assertEquals(0, limits.apply(List.of(), external(0)).copies().size(), "nothing to deliver, no copy");
  }

  @Test
  void exchangeDefaultsFailAboveFiveHundredEnvelopeRecipientsAndSplitExpansionsAtOneThousand() {
    EnvelopeLimits limits = new EnvelopeLimits(TransportConfig.defaults());
    assertEquals(1, limits.apply(addresses(500), external(500)).copies().size());
    assertTrue(limits.apply(addresses(501), external(501)).failure().isPresent());
    assertEquals(List.of(1000, 1000, 500), limits.apply(List.of("all@contoso.test"), external(2500)).copies()
        .stream().map(List::size).toList(), "one group of 2500 is one envelope recipient, split in three copies");
    EnvelopeLimits unlimitedEnvelope = new EnvelopeLimits(new TransportConfig(Integer.MAX_VALUE, 1000));
    assertEquals(List.of(1000, 1000, 500), unlimitedEnvelope.apply(List.of(), external(2500)).copies().stream()
        .map(List::size).toList());
  }

  @Test
  void moreEnvelopeRecipientsThanTheLimitFailTheMessageWith553ForEachAddressedRecipient() {
    EnvelopeLimits limits = new EnvelopeLimits(new TransportConfig(2, 1000));

    EnvelopeLimits.Copies copies = limits.apply(
        List.of("big@contoso.test", "x@example.org", "BIG@contoso.test", "y@example.org"), external(4));

    assertEquals(List.of(), copies.copies());
    assertEquals(new ResolutionEvent(ResolutionEventId.FAIL,
        List.of("big@contoso.test", "x@example.org", "y@example.org"),
        List.of(EnvelopeLimits.TOO_MANY_RECIPIENTS, EnvelopeLimits.TOO_MANY_RECIPIENTS,
            EnvelopeLimits.TOO_MANY_RECIPIENTS), null), copies.failure().get());
    assertTrue(limits.apply(List.of("big@contoso.test", "BIG@contoso.test"), external(4)).failure().isEmpty(),
        "the same address twice counts once");
    assertEquals("550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", EnvelopeLimits.TOO_MANY_RECIPIENTS);
  }

  private static List<String> addresses(int count) {
    return IntStream.range(0, count).mapToObj(i -> "r" + i + "@example.org").toList();
  }

  private static ResolvedRecipients external(int count) {
    List<Resolution> recipients = new ArrayList<>();
    IntStream.range(0, count).forEach(i ->
        recipients.add(new Resolution("r" + i + "@example.org", "r" + i + "@example.org", Resolution.Kind.EXTERNAL,
            null, null)));
    return new ResolvedRecipients(recipients, List.of());
  }
}
