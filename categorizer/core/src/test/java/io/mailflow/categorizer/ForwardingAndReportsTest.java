package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.TransportConfig;
import io.mailflow.smtp.Notify;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingAndReportsTest {
  private static final Organization ORG = organization("""
      serverName: EX01
      acceptedDomains: [contoso.test]
      mailboxes:
        - { name: Fwd, primarySmtpAddress: fwd@contoso.test, forwardingSmtpAddress: fwd@example.org }
        - { name: Keep, primarySmtpAddress: keep@contoso.test, proxyAddresses: [k@contoso.test],
            forwardingAddress: bob@contoso.test, deliverToMailboxAndForward: true }
        - { name: Both, primarySmtpAddress: both@contoso.test, forwardingAddress: bob@contoso.test,
            forwardingSmtpAddress: both@example.org }
        - { name: A, primarySmtpAddress: a@contoso.test, forwardingAddress: b@contoso.test }
        - { name: B, primarySmtpAddress: b@contoso.test, forwardingAddress: a@contoso.test }
        - { name: Ka, primarySmtpAddress: ka@contoso.test, forwardingAddress: kb@contoso.test, deliverToMailboxAndForward: true }
        - { name: Kb, primarySmtpAddress: kb@contoso.test, forwardingAddress: ka@contoso.test, deliverToMailboxAndForward: true }
        - { name: ToGroup, primarySmtpAddress: togroup@contoso.test, forwardingAddress: team@contoso.test }
        - { name: Bob, primarySmtpAddress: bob@contoso.test }
        - { name: Mona, primarySmtpAddress: mona@contoso.test, proxyAddresses: [m@contoso.test] }
      groups:
        - { name: Team, primarySmtpAddress: team@contoso.test, members: [bob@contoso.test, fwd@contoso.test] }
        - { name: Managed, primarySmtpAddress: managed@contoso.test, members: [bob@contoso.test, inner@contoso.test],
            managedBy: [m@contoso.test], reportToManagerEnabled: true, reportToOriginatorEnabled: false }
        - { name: Inner, primarySmtpAddress: inner@contoso.test, members: [x@example.org] }
        - { name: Quiet, primarySmtpAddress: quiet@contoso.test, members: [y@example.org],
            reportToOriginatorEnabled: false }
      transportConfig: { expansionSizeLimit: 1000 }
      """);

  private final RecipientResolver resolver = new RecipientResolver(Directory.of(ORG));

  private static Organization organization(String yaml) {
    try {
      return OrganizationLoader.parse(yaml, "forwarding.yaml");
    } catch (io.mailflow.organization.OrganizationException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static List<String> addresses(List<Resolution> resolutions) {
    return resolutions.stream().map(Resolution::address).toList();
  }

  @Test
  void forwardingWithoutACopyReplacesTheMailboxByItsTargetWithTheSameEnvelope() {
    EnvelopeRecipient fwd = new EnvelopeRecipient("fwd@contoso.test", "rfc822;fwd@contoso.test",
        List.of(Notify.SUCCESS, Notify.FAILURE));
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(fwd));
    assertEquals(List.of(new Resolution("fwd@example.org", "fwd@contoso.test", Resolution.Kind.EXTERNAL, null, null,
        null, "rfc822;fwd@contoso.test", List.of(Notify.SUCCESS, Notify.FAILURE), null)), resolved.deliverable(),
        "a single-recipient alias keeps NOTIFY and ORCPT (RFC 3461 6.2.7.2)");
    assertEquals(List.of(
        new ResolutionEvent(ResolutionEventId.REDIRECT, List.of("fwd@example.org"), List.of(), "fwd@contoso.test")),
        resolved.events());
  }

  @Test
  void keepingACopyDeliversTheMailboxAndPutsTheForwardedRecipientInItsOwnCopy() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("k@contoso.test", null, List.of(Notify.SUCCESS))));
    assertEquals(List.of("keep@contoso.test", "bob@contoso.test"), addresses(resolved.deliverable()));
    Resolution mailbox = resolved.deliverable().get(0);
    Resolution forwarded = resolved.deliverable().get(1);
    assertNull(mailbox.forwardedFrom());
    assertEquals(List.of(Notify.SUCCESS), mailbox.dsnNotify(), "the mailbox is the final delivery asked about");
    assertEquals("keep@contoso.test", forwarded.forwardedFrom());
    assertEquals(List.of(Notify.NEVER), forwarded.dsnNotify(), "SUCCESS is not passed on (RFC 3461 6.2.7.3)");
    assertEquals(List.of(
        new ResolutionEvent(ResolutionEventId.RESOLVE, List.of("keep@contoso.test"), List.of(), "k@contoso.test"),
        new ResolutionEvent(ResolutionEventId.REDIRECT, List.of("bob@contoso.test"), List.of(), "keep@contoso.test")),
        resolved.events());

    EnvelopeLimits.Copies copies = new EnvelopeLimits(TransportConfig.defaults())
        .apply(List.of("k@contoso.test"), resolved);
    assertEquals(List.of(List.of("keep@contoso.test"), List.of("bob@contoso.test")),
        copies.copies().stream().map(ForwardingAndReportsTest::addresses).toList());
  }

  @Test
  void forwardingAddressWinsWhenBothAreSet() {
    assertEquals(List.of("bob@contoso.test"),
        addresses(resolver.resolve(List.of("both@contoso.test")).deliverable()));
  }

  @Test
  void aForwardingLoopEndsAtTheMailboxWhereItClosesAndDeliversItOnce() {
    ResolvedRecipients resolved = resolver.resolve(List.of("a@contoso.test", "b@contoso.test"));
    assertEquals(List.of("a@contoso.test"), addresses(resolved.deliverable()));
    assertEquals(List.of(
        new ResolutionEvent(ResolutionEventId.REDIRECT, List.of("b@contoso.test"), List.of(), "a@contoso.test"),
        new ResolutionEvent(ResolutionEventId.REDIRECT, List.of("a@contoso.test"), List.of(), "b@contoso.test")),
        resolved.events());
  }

  @Test
  void aLoopOfMailboxesKeepingCopiesDeliversEachOnce() {
    ResolvedRecipients resolved = resolver.resolve(List.of("ka@contoso.test"));
    assertEquals(List.of("ka@contoso.test", "kb@contoso.test"), addresses(resolved.deliverable()));
    assertEquals("ka@contoso.test", resolved.deliverable().get(1).forwardedFrom());
  }

  @Test
  void forwardingToAGroupExpandsItAndFollowsItsMembersForwarding() {
    ResolvedRecipients resolved = resolver.resolve(List.of("togroup@contoso.test"));
    assertEquals(List.of("bob@contoso.test", "fwd@example.org"), addresses(resolved.deliverable()));
    assertTrue(resolved.deliverable().stream().allMatch(r -> "team@contoso.test".equals(r.expandedFrom())));
  }

  @Test
  void aGroupReportingToItsManagerGivesItsMembersTheManagersAddressAsSenderAndDefaultNotify() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("managed@contoso.test", "rfc822;managed@contoso.test", List.of(Notify.SUCCESS)),
        EnvelopeRecipient.of("quiet@contoso.test"),
        EnvelopeRecipient.of("mona@contoso.test")));
    assertEquals(List.of("bob@contoso.test", "x@example.org", "y@example.org", "mona@contoso.test"),
        addresses(resolved.deliverable()));
    Resolution bob = resolved.deliverable().get(0);
    assertEquals("mona@contoso.test", bob.sender(), "the manager's primary address, not the proxy in managedBy");
    assertEquals(List.of(), bob.dsnNotify(), "a list starts a new delivery: default NOTIFY, no ORCPT");
    assertNull(bob.orcpt());
    assertEquals("mona@contoso.test", resolved.deliverable().get(1).sender(), "nested groups inherit the sender");
    assertEquals("", resolved.deliverable().get(2).sender(), "reports to nobody: the null sender <>");
    assertNull(resolved.deliverable().get(3).sender(), "an envelope recipient keeps the message's sender");

    EnvelopeLimits.Copies copies = new EnvelopeLimits(new TransportConfig(500, 1))
        .apply(List.of("managed@contoso.test", "quiet@contoso.test", "mona@contoso.test"), resolved);
    assertEquals(List.of(List.of("bob@contoso.test"), List.of("x@example.org"), List.of("y@example.org"),
            List.of("mona@contoso.test")),
        copies.copies().stream().map(ForwardingAndReportsTest::addresses).toList());
  }

  @Test
  void anAliasGroupPassesNotifyWithoutSuccessAndKeepsOrcptAndSender() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("team@contoso.test", "rfc822;team@contoso.test", List.of(Notify.SUCCESS,
            Notify.DELAY))));
    Resolution bob = resolved.deliverable().get(0);
    assertEquals(List.of(Notify.DELAY), bob.dsnNotify());
    assertEquals("rfc822;team@contoso.test", bob.orcpt());
    assertNull(bob.sender());
    EnvelopeLimits.Copies copies = new EnvelopeLimits(TransportConfig.defaults())
        .apply(List.of("team@contoso.test"), resolved);
    assertEquals(1, copies.copies().size(), "no reason to bifurcate");
  }
}
