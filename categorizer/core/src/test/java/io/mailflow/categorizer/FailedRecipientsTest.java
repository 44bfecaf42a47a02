package io.mailflow.categorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.AddressBook;
import io.mailflow.organization.Directory;
import io.mailflow.organization.DirectoryEntry;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.smtp.Notify;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailedRecipientsTest {
  private final RecipientResolver resolver;

  FailedRecipientsTest() throws OrganizationException {
    // The organization file cannot name an unknown member (the validator refuses it); an address book can
    // lose one (a deleted mailbox), so this one hides gone@ and lost@.
    Directory directory = Directory.of(OrganizationLoader.parse("""
        serverName: EX01
        acceptedDomains: [contoso.test]
        mailboxes:
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
          - { name: Gone, primarySmtpAddress: gone@contoso.test }
          - { name: Lost, primarySmtpAddress: lost@contoso.test }
        groups:
          - { name: Team, primarySmtpAddress: team@contoso.test, members: [bob@contoso.test, gone@contoso.test] }
          - { name: Managed, primarySmtpAddress: managed@contoso.test, members: [lost@contoso.test],
              managedBy: [bob@contoso.test], reportToManagerEnabled: true, reportToOriginatorEnabled: false }
          - { name: Outer, primarySmtpAddress: outer@contoso.test, members: [team@contoso.test] }
        """, "failed.yaml"));
    resolver = new RecipientResolver(new AddressBook() {
      @Override
      public Optional<DirectoryEntry> find(String address) {
        return address.startsWith("gone@") || address.startsWith("lost@") ? Optional.empty() : directory.find(address);
      }

      @Override
      public Optional<AcceptedDomain> acceptedDomain(String domain) {
        return directory.acceptedDomain(domain);
      }

      @Override
      public List<DistributionGroup> memberOf(DirectoryEntry entry) {
        return directory.memberOf(entry);
      }
    });
  }

  @Test
  void anUnknownEnvelopeRecipientFailsWithItsOwnDsnParameters() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("ghost@contoso.test", "rfc822;ghost@contoso.test", List.of(Notify.FAILURE))));
    assertEquals(List.of(new FailedRecipient("ghost@contoso.test", null, "rfc822;ghost@contoso.test",
        List.of(Notify.FAILURE), RecipientResolver.RECIPIENT_NOT_FOUND)), resolved.failed());
  }

  @Test
  void anUnknownMemberOfAnAliasGroupFailsWithTheGroupsOrcptAndNotifyWithoutSuccess() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("team@contoso.test", "rfc822;team@contoso.test", List.of(Notify.SUCCESS,
            Notify.FAILURE))));
    assertEquals(List.of(new FailedRecipient("gone@contoso.test", null, "rfc822;team@contoso.test",
        List.of(Notify.FAILURE), RecipientResolver.RECIPIENT_NOT_FOUND)), resolved.failed());
  }

  @Test
  void anUnknownMemberOfAGroupReportingToItsManagerIsReportedToTheManager() {
    ResolvedRecipients resolved = resolver.resolve(List.of("managed@contoso.test"));
    assertEquals(List.of(new FailedRecipient("lost@contoso.test", "bob@contoso.test", null, List.of(),
        RecipientResolver.RECIPIENT_NOT_FOUND)), resolved.failed());
  }

  @Test
  void aGroupReachedWithNotifySuccessIsRecordedAsExpandedOnceNotItsNestedGroups() {
    ResolvedRecipients resolved = resolver.resolveEnvelope(List.of(
        new EnvelopeRecipient("outer@contoso.test", "rfc822;outer@contoso.test", List.of(Notify.SUCCESS))));
    assertEquals(List.of(new ExpandedGroup("outer@contoso.test", null, "rfc822;outer@contoso.test",
        List.of(Notify.SUCCESS))), resolved.expanded(), "members inherit NOTIFY without SUCCESS (NEVER here)");
    assertEquals(List.of(), resolver.resolve(List.of("outer@contoso.test")).expanded());
  }
}
