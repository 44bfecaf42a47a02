package io.mailflow.organization;

import static io.mailflow.organization.TestYaml.errorsOf;
import static io.mailflow.organization.TestYaml.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingAndGroupReportsTest {
  private static final String BASE = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  @Test
  void mailboxesDoNotForwardByDefaultAndGroupsReportToTheOriginator() throws Exception {
    Organization org = parse(BASE + "mailboxes: [{name: Alice, primarySmtpAddress: alice@contoso.test}]\n"
        + "groups: [{name: Team, primarySmtpAddress: team@contoso.test, members: [alice@contoso.test]}]\n");
    assertEquals(Mailbox.Forwarding.NONE, org.mailboxes().get(0).forwarding());
    assertTrue(org.mailboxes().get(0).forwarding().target().isEmpty());
    DistributionGroup team = org.groups().get(0);
    assertTrue(team.reportToOriginatorEnabled());
    assertFalse(team.reportToManagerEnabled());
    assertFalse(team.redirectsReports());
    assertNull(team.reportsTo());
  }

  @Test
  void forwardingIsReadAndForwardingAddressWinsOverTheSmtpAddress() throws Exception {
    Organization org = parse(BASE + "mailboxes:\n"
        + "  - {name: Alice, primarySmtpAddress: alice@contoso.test, forwardingAddress: bob@contoso.test,\n"
        + "     forwardingSmtpAddress: 'smtp:alice@example.org', deliverToMailboxAndForward: true}\n"
        + "  - {name: Bob, primarySmtpAddress: bob@contoso.test, forwardingSmtpAddress: bob@example.org}\n");
    Mailbox.Forwarding alice = org.mailboxes().get(0).forwarding();
    assertEquals(new Mailbox.Forwarding("bob@contoso.test", "alice@example.org", true), alice);
    assertEquals("bob@contoso.test", alice.target().orElseThrow());
    Mailbox.Forwarding bob = org.mailboxes().get(1).forwarding();
    assertEquals("bob@example.org", bob.target().orElseThrow());
    assertFalse(bob.deliverToMailboxAndForward());
  }

  @Test
  void forwardingChainsThatLoopBetweenMailboxesLoad() throws Exception {
    parse(BASE + "mailboxes:\n"
        + "  - {name: A, primarySmtpAddress: a@contoso.test, forwardingAddress: b@contoso.test}\n"
        + "  - {name: B, primarySmtpAddress: b@contoso.test, forwardingAddress: a@contoso.test}\n");
  }

  @Test
  void badForwardingIsReportedWithItsPath() {
    assertEquals(List.of(
            "mailboxes[0].forwardingAddress: no recipient of this organization has the address nobody@example.org"
                + " (use forwardingSmtpAddress for any other address)",
            "mailboxes[1].forwardingAddress: is the mailbox's own address: mail would loop",
            "mailboxes[2].forwardingSmtpAddress: no recipient has the address ghost@contoso.test (contoso.test is"
                + " authoritative, so mail to it would bounce)"),
        errorsOf(BASE + "mailboxes:\n"
            + "  - {name: A, primarySmtpAddress: a@contoso.test, forwardingAddress: nobody@example.org}\n"
            + "  - {name: B, primarySmtpAddress: b@contoso.test, forwardingAddress: B@contoso.test}\n"
            + "  - {name: C, primarySmtpAddress: c@contoso.test, forwardingSmtpAddress: ghost@contoso.test}\n"));
  }

  @Test
  void groupReportOptionsAreReadAndDecideWhereReportsGo() throws Exception {
    Organization org = parse(BASE + "mailboxes: [{name: Mona, primarySmtpAddress: mona@contoso.test}]\n"
        + "groups:\n"
        + "  - {name: Managed, primarySmtpAddress: managed@contoso.test, managedBy: [mona@contoso.test],\n"
        + "     reportToManagerEnabled: true, reportToOriginatorEnabled: false}\n"
        + "  - {name: Quiet, primarySmtpAddress: quiet@contoso.test, reportToOriginatorEnabled: false}\n");
    DistributionGroup managed = org.groups().get(0);
    assertEquals(List.of("mona@contoso.test"), managed.managedBy());
    assertTrue(managed.redirectsReports());
    assertEquals("mona@contoso.test", managed.reportsTo());
    assertEquals("", org.groups().get(1).reportsTo(), "reports to nobody: the null sender");
  }

  @Test
  void badGroupReportOptionsAreReportedWithTheirPath() {
    assertEquals(List.of(
            "groups[0].managedBy[0]: no mailbox has the address g1@contoso.test",
            "groups[0].reportToManagerEnabled: reportToManagerEnabled and reportToOriginatorEnabled are both true:"
                + " set reportToOriginatorEnabled: false (reports go to one place)",
            "groups[1].reportToManagerEnabled: reportToManagerEnabled needs managedBy (the manager)"),
        errorsOf(BASE + "groups:\n"
            + "  - {name: G1, primarySmtpAddress: g1@contoso.test, managedBy: [g1@contoso.test],"
            + " reportToManagerEnabled: true}\n"
            + "  - {name: G2, primarySmtpAddress: g2@contoso.test, reportToManagerEnabled: true,"
            + " reportToOriginatorEnabled: false}\n"));
  }

  @Test
  void directoryAnswersWhichGroupsNameAnEntry() throws Exception {
    Directory directory = Directory.of(parse(BASE + "mailboxes: [{name: Al, primarySmtpAddress: al@contoso.test,"
        + " proxyAddresses: [a@contoso.test]}]\n"
        + "groups:\n"
        + "  - {name: G1, primarySmtpAddress: g1@contoso.test, members: [a@contoso.test]}\n"
        + "  - {name: G2, primarySmtpAddress: g2@contoso.test, members: [g1@contoso.test, AL@contoso.test]}\n"));
    AddressBook book = directory;
    DirectoryEntry al = book.find("al@contoso.test").orElseThrow();
    assertEquals(List.of("G1", "G2"), book.memberOf(al).stream().map(DistributionGroup::name).toList());
    assertEquals(List.of("G2"), book.memberOf(book.find("g1@contoso.test").orElseThrow()).stream()
        .map(DistributionGroup::name).toList());
  }

}
