package io.mailflow.routing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NextHopKeyTest {

  @Test
  void mailboxKeyReadsAsDeliveryTypeSlashDatabase() {
    assertEquals("SmtpDeliveryToMailbox/DB01", NextHopKey.of(DeliveryType.SmtpDeliveryToMailbox, "DB01").asRecordKey());
  }

  @Test
  void smartHostKeyEndsWithTheConnectorName() {
    NextHopKey key = NextHopKey.of(DeliveryType.SmartHostConnectorDelivery, "127.0.0.1:2626", "Internet");
    assertEquals("SmartHostConnectorDelivery/127.0.0.1:2626/Internet", key.asRecordKey());
    assertEquals(key.asRecordKey(), key.toString());
  }

  @ParameterizedTest
  @EnumSource(DeliveryType.class)
  void everyDeliveryTypeRoundTripsWithAndWithoutConnector(DeliveryType type) {
    NextHopKey bare = NextHopKey.of(type, "hop.example");
    NextHopKey withConnector = NextHopKey.of(type, "a:25;b:25", "Out Bound");
    assertEquals(bare, NextHopKey.parse(bare.asRecordKey()));
    assertEquals(withConnector, NextHopKey.parse(withConnector.asRecordKey()));
  }

  @Test
  void connectorNameMayContainTheSeparatorBecauseItIsTheLastField() {
    NextHopKey key = NextHopKey.of(DeliveryType.DnsConnectorDelivery, "fabrikam.com", "Site A/Internet");
    assertEquals(key, NextHopKey.parse("DnsConnectorDelivery/fabrikam.com/Site A/Internet"));
  }

  @Test
  void unreachableKeyIsExchangesUnreachableDomain() {
    assertEquals("Unreachable/Unreachable Domain", NextHopKey.unreachable().asRecordKey());
    assertEquals(NextHopKey.unreachable(), NextHopKey.parse("Unreachable/Unreachable Domain"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "SmtpDeliveryToMailbox", "SmtpDeliveryToMailbox/", "SmtpDeliveryToMailbox/ ",
      "SmtpDeliveryToMailbox/DB01/", "NoSuchType/DB01", "smtpdeliverytomailbox/DB01"})
  void malformedKeyIsRejectedNamingTheKey(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NextHopKey.parse(bad));
    assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
  }

  @Test
  void unknownDeliveryTypeErrorListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NextHopKey.parse("Smtp/DB01"));
    assertTrue(e.getMessage().contains("unknown delivery type 'Smtp'") && e.getMessage().contains("SmtpRelayToDag"),
        e.getMessage());
  }

  @Test
  void nullKeyIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> NextHopKey.parse(null));
  }

  @Test
  void nextHopDomainWithTheSeparatorIsRejectedBecauseItCouldNotBeParsedBack() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NextHopKey.of(DeliveryType.SmtpRelayToRemoteAdSite, "Site/B"));
    assertTrue(e.getMessage().contains("'Site/B'"), e.getMessage());
  }

  @Test
  void missingPartsAreRejectedOnConstruction() {
    assertThrows(IllegalArgumentException.class, () -> NextHopKey.of(null, "DB01"));
    assertThrows(IllegalArgumentException.class, () -> NextHopKey.of(DeliveryType.SmtpDeliveryToMailbox, " "));
    assertThrows(IllegalArgumentException.class, () -> NextHopKey.of(DeliveryType.SmtpDeliveryToMailbox, null));
    assertThrows(IllegalArgumentException.class,
        () -> NextHopKey.of(DeliveryType.DnsConnectorDelivery, "fabrikam.com", ""));
  }
}
