package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.IpRange;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiveConnectorSelectorTest {
  private static final Binding SMTP = new Binding("0.0.0.0", 25);
  private static final ReceiveConnector WIDE = TestOrganization.ranged("Wide", SMTP,
      ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, null);
  private static final ReceiveConnector LAN = TestOrganization.ranged("Lan", SMTP,
      List.of("10.0.0.0/8", "fd00::/8"), null);
  private static final ReceiveConnector SCANNER = TestOrganization.ranged("Scanner", SMTP,
      List.of("192.0.2.1", "10.1.2.0-10.1.2.15"), null);
  private static final ReceiveConnector ONLY_LAN = TestOrganization.ranged("OnlyLan", new Binding("127.0.0.1", 2525),
      List.of("10.0.0.0/8"), null);

  @Test
  void theMostSpecificMatchingRangePicksTheConnectorWhateverTheOrder() throws Exception {
    for (List<ReceiveConnector> order : List.of(List.of(WIDE, LAN, SCANNER), List.of(SCANNER, LAN, WIDE))) {
      ReceiveConnectorSelector selector = new ReceiveConnectorSelector(order);
      assertEquals("Scanner", name(selector, "10.1.2.3"));
      assertEquals(IpRange.parse("10.1.2.0-10.1.2.15"), selector.select(ip("10.1.2.3")).get().range());
      assertEquals("Lan", name(selector, "10.1.2.16"));
      assertEquals("Lan", name(selector, "fd00::25"));
      assertEquals("Wide", name(selector, "203.0.113.7"));
      assertEquals("Wide", name(selector, "2001:db8::1"));
    }
  }

  @Test
  void anAddressNoRangeHoldsGetsNoConnector() throws Exception {
    assertTrue(new ReceiveConnectorSelector(List.of(ONLY_LAN)).select(ip("127.0.0.1")).isEmpty());
    assertTrue(new ReceiveConnectorSelector(List.of()).select(ip("10.0.0.1")).isEmpty());
  }

  @Test
  void forEndpointTakesTheConnectorsListeningOnThatPortIncludingWildcards() throws Exception {
    Organization org = TestOrganization.with(List.of(WIDE, LAN, ONLY_LAN));
    assertEquals(List.of("Wide", "Lan"), names(ReceiveConnectorSelector.forEndpoint(org, null, 25)));
    assertEquals(List.of("Wide", "Lan"), names(ReceiveConnectorSelector.forEndpoint(org, ip("10.9.9.9"), 25)));
    assertEquals(List.of("OnlyLan"), names(ReceiveConnectorSelector.forEndpoint(org, ip("127.0.0.1"), 2525)));
    assertEquals(List.of(), names(ReceiveConnectorSelector.forEndpoint(org, ip("10.9.9.9"), 2525)));
  }

  private static List<String> names(ReceiveConnectorSelector selector) {
    return selector.connectors().stream().map(ReceiveConnector::name).toList();
  }

  private static String name(ReceiveConnectorSelector selector, String address) throws Exception {
    return selector.select(ip(address)).orElseThrow().connector().name();
  }

  private static InetAddress ip(String literal) {
    return IpRange.parseAddress(literal);
  }
}
