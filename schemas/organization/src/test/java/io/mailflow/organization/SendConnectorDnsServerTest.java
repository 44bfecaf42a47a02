package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.mailflow.organization.SendConnector.DnsServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendConnectorDnsServerTest {
  private static final String HEAD = "serverName: EX01\nacceptedDomains: [contoso.test]\nsendConnectors:\n";

  @Test
  void connectorWithoutDnsServerUsesTheSystemResolver() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD + "  - {name: Internet, addressSpaces: ['*']}\n", "t.yaml");
    assertNull(org.sendConnectors().get(0).dnsServer());
  }

  @Test
  void dnsServerTakesHostPortWithPort53ByDefault() throws Exception {
    Organization org = OrganizationLoader.parse(HEAD
        + "  - {name: A, addressSpaces: ['*'], dnsServer: \"127.0.0.1:5353\"}\n"
        + "  - {name: B, addressSpaces: ['*'], dnsServer: dns.contoso.test}\n"
        + "  - {name: C, addressSpaces: ['*'], dnsServer: {host: \"::1\", port: 5454}}\n", "t.yaml");
    assertEquals(List.of(new DnsServer("127.0.0.1", 5353), new DnsServer("dns.contoso.test", 53),
        new DnsServer("::1", 5454)), org.sendConnectors().stream().map(SendConnector::dnsServer).toList());
  }

  @Test
  void badDnsServerIsReportedWithItsPath() {
    try {
      OrganizationLoader.parse(HEAD + "  - {name: A, addressSpaces: ['*'], dnsServer: \"127.0.0.1:99999\"}\n",
          "t.yaml");
      fail("loaded a DNS server with port 99999");
    } catch (OrganizationException e) {
      assertEquals(List.of("sendConnectors[0].dnsServer: port 99999 out of range (1-65535)"), e.errors());
    }
  }
}
