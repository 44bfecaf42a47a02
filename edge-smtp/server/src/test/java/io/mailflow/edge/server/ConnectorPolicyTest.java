package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectorPolicyTest {
  private static final Organization ORG = TestOrganization.standard();
  private static final Directory DIRECTORY = Directory.of(ORG);
  private static final ConnectorPolicy FRONTEND = new ConnectorPolicy(ORG.receiveConnectors().get(0), DIRECTORY);
  private static final ConnectorPolicy CLIENT = new ConnectorPolicy(ORG.receiveConnectors().get(1), DIRECTORY);
  private static final SessionInfo ANONYMOUS = SessionInfo.connected("S1",
      new InetSocketAddress("192.0.2.7", 1), new InetSocketAddress("127.0.0.1", 25), false);

  @ParameterizedTest
  @ValueSource(strings = {"alice@contoso.test", "A.Smith@Contoso.TEST", "team@contoso.test", "anyone@relay.test",
      "anyone@partner.test", "postmaster", "PostMaster@contoso.test"})
  void anonymousMayReachKnownAndRelayDomainRecipients(String address) {
    assertEquals(HookResult.ACCEPT, FRONTEND.rcptTo(ANONYMOUS, RcptTo.of(address)));
  }

  @Test
  void unknownRecipientInAuthoritativeDomainIsNotFound() {
    assertEquals("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        FRONTEND.rcptTo(ANONYMOUS, RcptTo.of("nobody@contoso.test")).reply().toString());
  }

  @Test
  void relayToExternalDomainIsDeniedForAnonymous() {
    assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
        FRONTEND.rcptTo(ANONYMOUS, RcptTo.of("someone@fabrikam.example")).reply().toString());
  }

  @Test
  void anonymousSenderIsAcceptedWhereAnonymousUsersMaySubmit() {
    assertEquals(HookResult.ACCEPT, FRONTEND.mailFrom(ANONYMOUS, MailFrom.of("x@fabrikam.example")));
  }

  @Test
  void anonymousSenderIsRefusedWhereOnlyAuthenticatedUsersMay() {
    assertEquals("530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
        CLIENT.mailFrom(ANONYMOUS, MailFrom.of("alice@contoso.test")).reply().toString());
  }

  @Test
  void barePostmasterStandsForDefaultDomainPostmaster() {
    assertEquals("postmaster@contoso.test", FRONTEND.recipientAddress(RcptTo.of("Postmaster")));
  }
}
