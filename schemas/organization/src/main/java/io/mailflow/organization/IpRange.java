package io.mailflow.organization;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * IpRange - a range of IPv4 or IPv6 addresses as Exchange's RemoteIPRanges writes it: a single
 * address ({@code 192.168.1.10}), a range ({@code 192.168.1.10-192.168.1.20}) or a CIDR block
 * ({@code 192.168.1.0/24}, {@code fe80::/10}).
 *
 * <p>Parsing never touches DNS. An IPv4 range never contains an IPv6 address and vice versa (Java
 * already reports IPv4-mapped IPv6 peers as IPv4). The receive connector whose matching range has the
 * smallest {@link #size()} is the most specific one.
 */
public final class IpRange {
  private final boolean ipv6;
  private final BigInteger first;
  private final BigInteger last;
  private final String text;

  private IpRange(boolean ipv6, BigInteger first, BigInteger last, String text) {
    this.ipv6 = ipv6;
    this.first = first;
    this.last = last;
    this.text = text;
  }

  /** Parses a range; the exception message names the text and what is wrong with it. */
  public static IpRange parse(String text) {
    String t = text.strip();
    try {
      int slash = t.indexOf('/');
      int dash = t.indexOf('-');
      if (slash >= 0) {
        byte[] base = addressBytes(t.substring(0, slash).strip());
        String lengthText = t.substring(slash + 1).strip();
        int maxLength = base.length * 8;
        if (!lengthText.matches("\\d{1,3}")) {
          throw new IllegalArgumentException("prefix length '" + lengthText + "' is not a number");
        }
        int length = Integer.parseInt(lengthText);
        if (length > maxLength) {
          throw new IllegalArgumentException("prefix length " + length + " out of range (0-" + maxLength + ")");
        }
        BigInteger hostMask = BigInteger.ONE.shiftLeft(maxLength - length).subtract(BigInteger.ONE);
        BigInteger network = new BigInteger(1, base).andNot(hostMask); // 10.0.0.1/24 means 10.0.0.0/24
        return new IpRange(base.length == 16, network, network.or(hostMask), t);
      }
      if (dash >= 0) {
        byte[] from = addressBytes(t.substring(0, dash).strip());
        byte[] to = addressBytes(t.substring(dash + 1).strip());
        if (from.length != to.length) {
          throw new IllegalArgumentException("a range cannot mix IPv4 and IPv6");
        }
        BigInteger low = new BigInteger(1, from);
        BigInteger high = new BigInteger(1, to);
        if (low.compareTo(high) > 0) {
          throw new IllegalArgumentException("the range starts after it ends");
        }
        return new IpRange(from.length == 16, low, high, t);
      }
      byte[] single = addressBytes(t);
      BigInteger value = new BigInteger(1, single);
      return new IpRange(single.length == 16, value, value, t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad IP range '" + text + "': " + e.getMessage(), e);
    }
  }

  /**
   * Parses an IP address literal (IPv4 dotted quad or IPv6, without brackets) without any DNS lookup.
   *
   * @throws IllegalArgumentException naming the text when it is not an IP address
   */
  public static InetAddress parseAddress(String literal) {
    try {
      return InetAddress.getByAddress(addressBytes(literal.strip()));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e.getMessage(), e); // cannot happen: length is 4 or 16
    }
  }

  /** Whether the text is an IPv4 or IPv6 address literal. */
  public static boolean isAddress(String literal) {
    try {
      addressBytes(literal.strip());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public boolean contains(InetAddress address) {
    boolean addressIpv6 = !(address instanceof Inet4Address);
    if (addressIpv6 != ipv6) {
      return false;
    }
    BigInteger value = new BigInteger(1, address.getAddress());
    return value.compareTo(first) >= 0 && value.compareTo(last) <= 0;
  }

  /** Whether the two ranges share at least one address. */
  public boolean overlaps(IpRange other) {
    return ipv6 == other.ipv6 && first.compareTo(other.last) <= 0 && other.first.compareTo(last) <= 0;
  }

  /** Whether every address of {@code other} is in this range (a range encloses itself). */
  public boolean encloses(IpRange other) {
    return ipv6 == other.ipv6 && first.compareTo(other.first) <= 0 && other.last.compareTo(last) <= 0;
  }

  /** How many addresses the range holds: fewer is more specific. */
  public BigInteger size() {
    return last.subtract(first).add(BigInteger.ONE);
  }

  public boolean isIpv6() {
    return ipv6;
  }

  /** The range as written. */
  @Override
  public String toString() {
    return text;
  }

  /** Ranges are equal when they hold the same addresses, however written. */
  @Override
  public boolean equals(Object o) {
    return o instanceof IpRange r && r.ipv6 == ipv6 && r.first.equals(first) && r.last.equals(last);
  }

  @Override
  public int hashCode() {
    return first.hashCode() * 31 + last.hashCode() + (ipv6 ? 1 : 0);
  }

  private static byte[] addressBytes(String literal) {
    if (literal.contains(":")) {
      return ipv6Bytes(literal);
    }
    byte[] v4 = ipv4Bytes(literal);
    if (v4 == null) {
      throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address");
    }
    return v4;
  }

  /** Strict dotted quad (Java's InetAddress would also take 10.1 or 0x0a.0.0.1, and resolve names). */
  private static byte[] ipv4Bytes(String literal) {
    String[] parts = literal.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}")) {
        return null;
      }
      int value = Integer.parseInt(parts[i]);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static byte[] ipv6Bytes(String literal) {
    String bad = "'" + literal + "' is not an IPv6 address";
    String lower = literal.toLowerCase(Locale.ROOT);
    if (!lower.matches("[0-9a-f:.]+")) {
      throw new IllegalArgumentException(bad);
    }
    int gap = lower.indexOf("::");
    if (gap >= 0 && lower.indexOf("::", gap + 1) >= 0) {
      throw new IllegalArgumentException(bad + " ('::' may appear only once)");
    }
    int[] head = groups(gap >= 0 ? lower.substring(0, gap) : lower, bad);
    int[] tail = gap >= 0 ? groups(lower.substring(gap + 2), bad) : new int[0];
    int count = head.length + tail.length;
    if (gap < 0 ? count != 8 : count > 7) {
      throw new IllegalArgumentException(bad + " (wrong number of groups)");
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < head.length; i++) {
      bytes[2 * i] = (byte) (head[i] >> 8);
      bytes[2 * i + 1] = (byte) head[i];
    }
    for (int i = 0; i < tail.length; i++) {
      int at = 8 - tail.length + i;
      bytes[2 * at] = (byte) (tail[i] >> 8);
      bytes[2 * at + 1] = (byte) tail[i];
    }
    return bytes;
  }

  /** 16-bit groups of one side of '::'; a trailing dotted quad counts as two groups. */
  private static int[] groups(String side, String bad) {
    if (side.isEmpty()) {
      return new int[0];
    }
    String[] parts = side.split(":", -1);
    boolean dottedTail = parts[parts.length - 1].contains(".");
    int[] result = new int[parts.length + (dottedTail ? 1 : 0)];
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (i == parts.length - 1 && dottedTail) {
        byte[] v4 = ipv4Bytes(part);
        if (v4 == null) {
          throw new IllegalArgumentException(bad);
        }
        result[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        result[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
      } else {
        if (!part.matches("[0-9a-f]{1,4}")) {
          throw new IllegalArgumentException(bad);
        }
        result[i] = Integer.parseInt(part, 16);
      }
    }
    return result;
  }
}
