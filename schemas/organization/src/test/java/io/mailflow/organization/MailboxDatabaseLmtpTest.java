package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.MailboxDatabase.LmtpEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class MailboxDatabaseLmtpTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\ndatabases:\n";

  @Test
  void databaseWithoutLmtpUsesTheBuiltInStore() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "  - {name: DB01}\n", "t.yaml");
    assertNull(org.databases().get(0).lmtp());
  }

  @Test
  void lmtpTakesHostPortWithPort24ByDefault() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "  - {name: DB01, lmtp: \"127.0.0.1:2424\"}\n"
        + "  - {name: DB02, lmtp: store.contoso.test}\n", "t.yaml");
    assertEquals(List.of(new LmtpEndpoint("127.0.0.1", 2424), new LmtpEndpoint("store.contoso.test", 24)),
        org.databases().stream().map(MailboxDatabase::lmtp).toList());
  }

  @Test
  void badLmtpEndpointIsReportedWithItsPath() {
    try {
      OrganizationLoader.parse(HEAD + "  - {name: DB01, lmtp: \"127.0.0.1:0\"}\n", "t.yaml");
      fail("loaded an LMTP port 0");
    } catch (OrganizationException e) {
      assertEquals(List.of("databases[0].lmtp: port 0 out of range (1-65535)"), e.errors());
    }
  }
}
