package io.mailflow.organization;

import static io.mailflow.organization.TestYaml.errorsOf;
import static io.mailflow.organization.TestYaml.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContactsAndTransportConfigTest {
  private static final String BASE = "serverName: EX01\nacceptedDomains: [contoso.test]\n"
      + "mailboxes: [{name: Alice, primarySmtpAddress: alice@contoso.test}]\n";

  @Test
  void transportLimitsDefaultToExchanges() throws Exception {
    TransportConfig limits = parse(BASE).transportConfig();
    assertEquals(500, limits.maxRecipientEnvelopeLimit());
    assertEquals(1000, limits.expansionSizeLimit());
  }

  @Test
  void transportLimitsAreReadAndUnlimitedIsTheLargestInt() throws Exception {
    TransportConfig limits = parse(BASE + "transportConfig: {maxRecipientEnvelopeLimit: unlimited, expansionSizeLimit: 50}\n")
        .transportConfig();
    assertEquals(Integer.MAX_VALUE, limits.maxRecipientEnvelopeLimit());
    assertEquals(50, limits.expansionSizeLimit());
  }

  @Test
  void transportLimitsOutOfRangeOrUnknownAreReportedWithTheirPath() {
    assertEquals(List.of(
            "transportConfig: unknown key 'expansionLimit'; allowed keys: maxRecipientEnvelopeLimit, expansionSizeLimit, tlsReceiveDomainSecureList",
            "transportConfig.maxRecipientEnvelopeLimit: 0 out of range (1-2147483647) or unlimited",
            "transportConfig.expansionSizeLimit: expected a whole number, got 'many'"),
        errorsOf(BASE + "transportConfig: {maxRecipientEnvelopeLimit: 0, expansionSizeLimit: many, expansionLimit: 3}\n"));
  }

  @Test
  void recordRejectsLimitsBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new TransportConfig(0, 1000));
  }

  @Test
  void contactsAndMailUsersAreDirectoryObjectsFoundByTheirAddressInAnyCase() throws Exception {
    Organization org = parse(BASE
        + "contacts: [{name: Pat Partner, primarySmtpAddress: pat@contoso.test, externalEmailAddress: pat@fabrikam.test}]\n"
        + "mailUsers: [{name: Sam Remote, primarySmtpAddress: sam@contoso.test, externalEmailAddress: sam@tailspin.test}]\n"
        + "groups: [{name: All, primarySmtpAddress: all@contoso.test, members: [pat@contoso.test, sam@contoso.test]}]\n");
    assertEquals(List.of(new MailContact("Pat Partner", "pat@contoso.test", "pat@fabrikam.test")), org.contacts());
    Directory directory = Directory.of(org);
    MailContact pat = assertInstanceOf(MailContact.class, directory.find("PAT@Contoso.Test").orElseThrow());
    assertEquals("pat@fabrikam.test", pat.externalEmailAddress());
    MailUser sam = assertInstanceOf(MailUser.class, directory.find("sam@contoso.test").orElseThrow());
    assertEquals("sam@tailspin.test", sam.externalEmailAddress());
    assertEquals(Directory.RecipientScope.LOCAL, directory.scope("sam@contoso.test"));
    assertEquals(List.of("Alice", "All", "Pat Partner", "Sam Remote"),
        directory.entries().stream().map(DirectoryEntry::name).toList());
  }

  @Test
  void contactMistakesAreReportedWithTheirPath() {
    assertEquals(List.of(
            "contacts[0].externalEmailAddress: required",
            "contacts[1].primarySmtpAddress: address alice@contoso.test already belongs to mailbox 'Alice' "
                + "(mailboxes[0].primarySmtpAddress)",
            "contacts[2].externalEmailAddress: is the mail contact's own address: mail would loop",
            "mailUsers[0].name: name 'alice' is already mailboxes[0]",
            "mailUsers[0].externalEmailAddress: no recipient has the address ghost@contoso.test "
                + "(contoso.test is authoritative, so mail to it would bounce)"),
        errorsOf(BASE + "contacts:\n"
            + "  - {name: A, primarySmtpAddress: a@contoso.test}\n"
            + "  - {name: B, primarySmtpAddress: alice@contoso.test, externalEmailAddress: b@example.org}\n"
            + "  - {name: C, primarySmtpAddress: c@contoso.test, externalEmailAddress: C@contoso.test}\n"
            + "mailUsers: [{name: alice, primarySmtpAddress: m@contoso.test, externalEmailAddress: ghost@contoso.test}]\n"));
  }

  @Test
  void contactsRedirectingToEachOtherInACircleAreReported() {
    assertEquals(List.of(
            "contacts[0].externalEmailAddress: redirects in a loop: a@contoso.test -> b@contoso.test -> a@contoso.test",
            "contacts[1].externalEmailAddress: redirects in a loop: b@contoso.test -> a@contoso.test -> b@contoso.test"),
        errorsOf(BASE + "contacts:\n"
            + "  - {name: A, primarySmtpAddress: a@contoso.test, externalEmailAddress: b@contoso.test}\n"
            + "  - {name: B, primarySmtpAddress: b@contoso.test, externalEmailAddress: a@contoso.test}\n"));
  }

  @Test
  void groupMemberMayBeAContact() throws Exception {
    parse(BASE + "contacts: [{name: P, primarySmtpAddress: p@contoso.test, externalEmailAddress: p@example.org}]\n"
        + "groups: [{name: G, primarySmtpAddress: g@contoso.test, members: [p@contoso.test]}]\n");
  }

  @Test
  void asSeenFromChangesOnlyThisNodesServerAndSite() throws Exception {
    Organization org = parse(BASE);
    Organization moved = org.asSeenFrom("EX09", "Branch");
    assertEquals("EX09", moved.serverName());
    assertEquals("Branch", moved.siteName());
    assertEquals(org.mailboxes(), moved.mailboxes());
    assertEquals(org.transportConfig(), moved.transportConfig());
  }

}
