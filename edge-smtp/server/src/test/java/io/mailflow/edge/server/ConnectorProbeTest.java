package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.Organization;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The probe answers with the edge's own policy: the same replies a session would get. */
class ConnectorProbeTest {
  private static final Organization ORG = TestOrganization.standard();
  private static final ConnectorProbe FRONTEND = new ConnectorProbe(ORG.receiveConnectors().get(0), Directory.of(ORG));
  private static final ConnectorProbe CLIENT = new ConnectorProbe(ORG.receiveConnectors().get(1), Directory.of(ORG));

  @Test
  void anonymousOnTheFrontendMaySubmitInsideButNotRelay() {
    assertEquals("250 2.1.0 Sender OK", FRONTEND.mailFrom(null, "someone@fabrikam.example"));
    assertEquals("250 2.1.5 Recipient OK", FRONTEND.rcptTo(null, "bob@contoso.test"));
    assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
        FRONTEND.rcptTo(null, "someone@example.com"));
  }

  @Test
  void anAuthenticatedUserOnTheClientConnectorMayRelayAsHerselfOnly() {
    assertEquals(Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_RECIPIENT,
        ExtendedRight.BYPASS_ANTI_SPAM, ExtendedRight.ACCEPT_HEADERS_ROUTING), CLIENT.rights("alice@contoso.test"));
    assertEquals("250 2.1.5 Recipient OK", CLIENT.rcptTo("alice@contoso.test", "someone@example.com"));
    assertEquals("250 2.1.0 Sender OK", CLIENT.mailFrom("alice@contoso.test", "alice@contoso.test"));
    assertEquals("550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        CLIENT.mailFrom("alice@contoso.test", "bob@contoso.test"));
    assertEquals("530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
        CLIENT.mailFrom(null, ""));
    assertEquals("None", ConnectorProbe.describe(CLIENT.rights(null)));
  }

  @Test
  void anAddressTheCommandWouldRefuseIsAnErrorNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FRONTEND.mailFrom(null, "not an address"));
    assertEquals("'not an address' is not an address MAIL FROM takes", e.getMessage());
  }
}
