package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Permission;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The open-relay matrix: anonymous, authenticated without the relay right and authenticated with it,
 * each against internal and external recipients and spoofed authoritative senders, on connectors
 * with Exchange's permission groups and explicit grants. Each cell is what the rights allow, with
 * Exchange's reply; the failure lists every cell that differs as "got X, want Y".
 */
class OpenRelayMatrixTest {
  private static final Set<AuthMechanism> BASIC = Set.of(AuthMechanism.Tls, AuthMechanism.BasicAuth);
  private static final String OK = "250";
  private static final String NOT_AUTHENTICATED =
      "530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM";
  private static final String SEND_AS = "550 5.7.60 SMTP; Client does not have permissions to send as this sender";
  private static final String RELAY = "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain";
  private static final String NOT_FOUND =
      "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup";
  private static final String NO_SUBMIT = "550 5.7.1 Client does not have permissions to submit to this server";

  /** Exchange's Default Frontend: AnonymousUsers as Exchange grants it (spoofing of authoritative senders allowed). */
  private static final ReceiveConnector DEFAULT = connector("Default", Set.of(PermissionGroup.AnonymousUsers), List.of());
  /** The same, hardened as Exchange admins do: Accept-Authoritative-Domain-Sender denied to anonymous. */
  private static final ReceiveConnector HARDENED = connector("Hardened", Set.of(PermissionGroup.AnonymousUsers),
      List.of(new Permission(Permission.ANONYMOUS_LOGON, Set.of(ExtendedRight.SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER), true)));
  /** Client Frontend: ExchangeUsers (submit and relay, own senders only). */
  private static final ReceiveConnector CLIENT = connector("Client", Set.of(PermissionGroup.ExchangeUsers), List.of());
  /** Custom: every authenticated user may submit, only the Relayers group may relay, nobody anonymous. */
  private static final ReceiveConnector CUSTOM = connector("Custom", Set.of(PermissionGroup.Custom), List.of(
      new Permission(Permission.AUTHENTICATED_USERS, Set.of(ExtendedRight.SMTP_SUBMIT), false),
      new Permission("relayers@contoso.test", Set.of(ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT), false)));
  /** ExchangeUsers, but bob may send as anyone and alice's relay right is taken away. */
  private static final ReceiveConnector GRANTS = connector("Grants", Set.of(PermissionGroup.ExchangeUsers), List.of(
      new Permission("bob@contoso.test", Set.of(ExtendedRight.SMTP_ACCEPT_ANY_SENDER), false),
      new Permission("alice@contoso.test", Set.of(ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT), true)));

  private static final Organization ORG = TestOrganization.withPasswords(List.of(DEFAULT, HARDENED, CLIENT, CUSTOM, GRANTS));
  private static final Directory DIRECTORY = Directory.of(ORG);

  private static final String ANONYMOUS = null;
  private static final String ALICE = "alice@contoso.test";
  private static final String BOB = "bob@contoso.test";
  private static final String INTERNAL = "team@contoso.test";
  private static final String EXTERNAL = "someone@fabrikam.example";

  private static ReceiveConnector connector(String name, Set<PermissionGroup> groups, List<Permission> permissions) {
    return TestOrganization.secured(name, groups, BASIC, null, false, 3, Duration.ofSeconds(5), permissions);
  }

  private record Cell(ReceiveConnector connector, String user, String sender, String recipient, String mail,
      String rcpt) {}

  private static final List<Cell> MATRIX = List.of(
      // anonymous
      new Cell(DEFAULT, ANONYMOUS, "carol@example.com", INTERNAL, OK, OK),
      new Cell(DEFAULT, ANONYMOUS, "carol@example.com", EXTERNAL, OK, RELAY),
      new Cell(DEFAULT, ANONYMOUS, "carol@example.com", "nobody@contoso.test", OK, NOT_FOUND),
      new Cell(DEFAULT, ANONYMOUS, ALICE, INTERNAL, OK, OK), // Exchange's AnonymousUsers may use authoritative senders
      new Cell(HARDENED, ANONYMOUS, ALICE, INTERNAL, SEND_AS, null),
      new Cell(HARDENED, ANONYMOUS, "carol@example.com", INTERNAL, OK, OK),
      new Cell(HARDENED, ANONYMOUS, "carol@example.com", EXTERNAL, OK, RELAY),
      new Cell(HARDENED, ANONYMOUS, "", INTERNAL, OK, OK), // bounces have no sender to spoof
      new Cell(CLIENT, ANONYMOUS, "carol@example.com", INTERNAL, NOT_AUTHENTICATED, null),
      new Cell(CUSTOM, ANONYMOUS, "carol@example.com", INTERNAL, NOT_AUTHENTICATED, null),
      // authenticated without the relay right
      new Cell(CUSTOM, ALICE, ALICE, INTERNAL, OK, OK),
      new Cell(CUSTOM, ALICE, ALICE, EXTERNAL, OK, RELAY),
      new Cell(CUSTOM, ALICE, "A.Smith@contoso.test", EXTERNAL, OK, RELAY), // a proxy address is her own too
      new Cell(CUSTOM, ALICE, BOB, INTERNAL, SEND_AS, null),
      new Cell(CUSTOM, ALICE, "carol@example.com", INTERNAL, SEND_AS, null),
      new Cell(CUSTOM, ALICE, INTERNAL, INTERNAL, OK, OK), // Send As granted on team@
      new Cell(GRANTS, ALICE, ALICE, EXTERNAL, OK, RELAY), // her relay right denied explicitly
      new Cell(DEFAULT, ALICE, ALICE, INTERNAL, NO_SUBMIT, null), // AnonymousUsers' rights are not a user's
      // authenticated with the relay right
      new Cell(CUSTOM, BOB, BOB, EXTERNAL, OK, OK), // through the Relayers group
      new Cell(CUSTOM, BOB, BOB, INTERNAL, OK, OK),
      new Cell(CUSTOM, BOB, ALICE, EXTERNAL, SEND_AS, null),
      new Cell(CUSTOM, BOB, INTERNAL, EXTERNAL, SEND_AS, null), // no Send As on team@ for bob
      new Cell(CLIENT, ALICE, ALICE, EXTERNAL, OK, OK),
      new Cell(CLIENT, ALICE, ALICE, "nobody@contoso.test", OK, NOT_FOUND),
      new Cell(CLIENT, ALICE, BOB, EXTERNAL, SEND_AS, null),
      new Cell(CLIENT, ALICE, "carol@example.com", EXTERNAL, SEND_AS, null),
      new Cell(GRANTS, BOB, "carol@example.com", EXTERNAL, OK, OK), // Accept-Any-Sender granted to bob
      new Cell(GRANTS, BOB, ALICE, EXTERNAL, OK, OK));

  @Test
  void everyCellGetsWhatItsRightsAllowWithExchangesReply() {
    List<String> wrong = new ArrayList<>();
    for (Cell cell : MATRIX) {
      ConnectorPolicy policy = new ConnectorPolicy(cell.connector(), DIRECTORY);
      SessionInfo session = new SessionInfo("S1", new InetSocketAddress("192.0.2.7", 1),
          new InetSocketAddress("127.0.0.1", 587), "client.example", true, true, cell.user());
      String mail = text(policy.mailFrom(session, MailFrom.of(cell.sender())));
      String rcpt = mail.equals(OK) ? text(policy.rcptTo(session, RcptTo.of(cell.recipient()))) : null;
      if (!mail.equals(cell.mail()) || !java.util.Objects.equals(rcpt, cell.rcpt())) {
        wrong.add(cell.connector().name() + " as " + (cell.user() == null ? "anonymous" : cell.user())
            + " MAIL FROM:<" + cell.sender() + "> RCPT TO:<" + cell.recipient() + ">: got " + mail + " / " + rcpt
            + ", want " + cell.mail() + " / " + cell.rcpt());
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void sessionRightsAreExchangesForEachPrincipal() {
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_SENDER, ExtendedRight.ACCEPT_HEADERS_ROUTING),
        new ConnectorPolicy(HARDENED, DIRECTORY).rightsOf(null));
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT), new ConnectorPolicy(CUSTOM, DIRECTORY).rightsOf(ALICE));
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT),
        new ConnectorPolicy(CUSTOM, DIRECTORY).rightsOf("BOB@contoso.test"));
    assertEquals("SMTPSubmit SMTPAcceptAnyRecipient BypassAntiSpam AcceptRoutingHeaders",
        SessionRights.describe(new ConnectorPolicy(CLIENT, DIRECTORY).rightsOf(ALICE)));
    assertEquals("None", SessionRights.describe(new ConnectorPolicy(CLIENT, DIRECTORY).rightsOf(null)));
  }

  private static String text(HookResult result) {
    return result.accepted() ? OK : result.reply().toString();
  }
}
