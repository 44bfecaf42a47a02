package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

  @ParameterizedTest
  @CsvSource({
      "192.168.1.10, 192.168.1.10, true", "192.168.1.10, 192.168.1.11, false",
      "192.168.1.0/24, 192.168.1.255, true", "192.168.1.0/24, 192.168.2.0, false",
      "192.168.1.77/24, 192.168.1.1, true",
      "10.0.0.5-10.0.0.9, 10.0.0.9, true", "10.0.0.5-10.0.0.9, 10.0.0.10, false",
      "0.0.0.0-255.255.255.255, 203.0.113.9, true", "0.0.0.0/0, 203.0.113.9, true",
      "::/0, 2001:db8::1, true", "::/0, 127.0.0.1, false", "0.0.0.0/0, ::1, false",
      "fe80::/10, fe80::1234, true", "fe80::/10, fec0::1, false",
      "2001:db8::1-2001:db8::ff, 2001:db8::80, true", "::1, 0:0:0:0:0:0:0:1, true",
      "::ffff:10.0.0.0/120, ::ffff:10.0.0.7, false"})
  void containsExactlyTheAddressesOfItsFamily(String range, String address, boolean expected) throws Exception {
    // ::ffff:10.0.0.7 is an IPv4-mapped address: Java hands it over as IPv4, so an IPv6 range does not hold it.
    assertEquals(expected, IpRange.parse(range).contains(InetAddress.getByName(address)), range + " ∋ " + address);
  }

  @Test
  void enclosesOnlyWholeRangesOfItsFamily() {
    IpRange lan = IpRange.parse("10.0.0.0/24");
    assertTrue(lan.encloses(IpRange.parse("10.0.0.9")));
    assertTrue(lan.encloses(IpRange.parse("10.0.0.0-10.0.0.255")), "a range encloses itself however written");
    assertFalse(lan.encloses(IpRange.parse("10.0.0.128-10.0.1.5")));
    assertFalse(IpRange.parse("10.0.0.9").encloses(lan));
    assertFalse(IpRange.parse("::/0").encloses(lan), "IPv6 ranges hold no IPv4 addresses");
  }

  @Test
  void smallerRangesAreMoreSpecific() {
    assertEquals(BigInteger.ONE, IpRange.parse("10.0.0.1").size());
    assertEquals(BigInteger.valueOf(256), IpRange.parse("10.0.0.0/24").size());
    assertEquals(BigInteger.valueOf(5), IpRange.parse("10.0.0.5-10.0.0.9").size());
    assertEquals(BigInteger.ONE.shiftLeft(128), IpRange.parse("::/0").size());
  }

  @Test
  void rangesWrittenDifferentlyButHoldingTheSameAddressesAreEqual() {
    assertEquals(IpRange.parse("10.0.0.0/8"), IpRange.parse("10.0.0.0-10.255.255.255"));
    assertEquals(IpRange.parse("::1"), IpRange.parse("0:0:0:0:0:0:0:1/128"));
    assertTrue(IpRange.parse("10.0.0.0/8").overlaps(IpRange.parse("10.1.0.0/16")));
    assertFalse(IpRange.parse("10.0.0.0/8").overlaps(IpRange.parse("11.0.0.0/8")));
    assertEquals("10.0.0.0/8", IpRange.parse(" 10.0.0.0/8 ").toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/33|bad IP range '10.0.0.0/33': prefix length 33 out of range (0-32)",
      "::/129|bad IP range '::/129': prefix length 129 out of range (0-128)",
      "10.0.0.0/x|bad IP range '10.0.0.0/x': prefix length 'x' is not a number",
      "10.0.0.9-10.0.0.1|bad IP range '10.0.0.9-10.0.0.1': the range starts after it ends",
      "10.0.0.1-::1|bad IP range '10.0.0.1-::1': a range cannot mix IPv4 and IPv6",
      "10.0.0|bad IP range '10.0.0': '10.0.0' is not an IPv4 or IPv6 address",
      "mail.contoso.test|bad IP range 'mail.contoso.test': 'mail.contoso.test' is not an IPv4 or IPv6 address",
      "1::2::3|bad IP range '1::2::3': '1::2::3' is not an IPv6 address ('::' may appear only once)",
      "1:2:3:4:5:6:7|bad IP range '1:2:3:4:5:6:7': '1:2:3:4:5:6:7' is not an IPv6 address (wrong number of groups)",
      "fe80::1%eth0|bad IP range 'fe80::1%eth0': 'fe80::1%eth0' is not an IPv6 address"})
  void rejectsMalformedRangesSayingWhy(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> IpRange.parse(text)).getMessage());
  }

  @Test
  void parsesAddressLiteralsWithoutDns() {
    assertEquals("127.0.0.1", IpRange.parseAddress("127.0.0.1").getHostAddress());
    assertEquals(InetAddress.getLoopbackAddress().getClass(), IpRange.parseAddress("127.0.0.1").getClass());
    assertTrue(IpRange.isAddress("2001:db8::10.0.0.1"));
    assertFalse(IpRange.isAddress("localhost"), "a name is never resolved");
  }
}
