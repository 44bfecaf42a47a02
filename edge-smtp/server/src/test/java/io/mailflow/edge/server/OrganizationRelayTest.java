package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import org.junit.jupiter.api.Test;

class OrganizationRelayTest {
  private static Organization org() throws Exception {
    return OrganizationLoader.parse("""
      serverName: EX01
      siteName: A
      acceptedDomains: [ { domainName: contoso.test, default: true } ]
      sites: [ {name: A}, {name: B} ]
      servers:
        - { name: EX01, site: A, smtp: "127.0.0.1:2525" }
        - { name: EX02, site: B, smtp: "[::1]:2526" }
        - { name: EX03, site: B }
      """, "relay.yaml");
  }

  @Test
  void clientsAtAServersSmtpAddressAreServersOthersAreNot() throws Exception {
    OrganizationRelay relay = new OrganizationRelay(org());
    assertTrue(relay.isServer("127.0.0.1"));
    assertTrue(relay.isServer("0:0:0:0:0:0:0:1"), "IPv6 compared as addresses, not text");
    assertFalse(relay.isServer("127.0.0.2"));
    assertFalse(relay.isServer("EX03"), "names are not resolved");
    assertFalse(relay.isServer(null));
  }

  @Test
  void onlyAUuidIsTakenAsANetworkMessageId() {
    assertEquals("0b6f2c1e-8f7a-4d3e-9a41-5f1e2d3c4b5a",
        OrganizationRelay.networkMessageId(" 0B6F2C1E-8F7A-4D3E-9A41-5F1E2D3C4B5A "));
    assertNull(OrganizationRelay.networkMessageId("not-an-id"));
    assertNull(OrganizationRelay.networkMessageId("1-2-3-4-5"), "UUID.fromString's lenient forms are refused");
  }
}
