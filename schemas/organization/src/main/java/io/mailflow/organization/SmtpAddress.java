package io.mailflow.organization;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * SmtpAddress - an RFC 5321 mailbox {@code local-part@domain}, split and checked.
 *
 * <p>The local part is a dot-atom or a quoted string; UTF-8 (RFC 6531) is allowed in both halves. The
 * domain is a host name or an address literal ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}).
 * Exchange compares addresses without regard to case, so does {@link #normalized()}.
 *
 * @param localPart as written (a quoted local part keeps its quotes)
 * @param domain as written
 */
public record SmtpAddress(String localPart, String domain) {
  private static final int MAX_LOCAL_PART_OCTETS = 64; // RFC 5321 4.5.3.1.1
  private static final int MAX_DOMAIN_OCTETS = 255; // RFC 5321 4.5.3.1.2
  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  /**
   * Parses {@code local@domain} (no angle brackets, no display name).
   *
   * @throws IllegalArgumentException whose message quotes the text and says what is wrong
   */
  public static SmtpAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty address");
    }
    int at = text.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("'" + text + "' is not an SMTP address (local@domain): no '@'");
    }
    String local = text.substring(0, at);
    String domain = text.substring(at + 1);
    String problem = localPartProblem(local);
    if (problem == null) {
      problem = domainProblem(domain);
    }
    if (problem != null) {
      if (local.toLowerCase(Locale.ROOT).startsWith("smtp:")) {
        problem += "; write the address without the 'smtp:' prefix";
      }
      throw new IllegalArgumentException("'" + text + "' is not a valid SMTP address: " + problem);
    }
    return new SmtpAddress(local, domain);
  }

  /** The address if it parses, else empty. */
  public static Optional<SmtpAddress> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code name} is a valid host name (the domain part of an address, without literals). */
  public static boolean isHostName(String name) {
    return hostNameProblem(name) == null;
  }

  /** The domain in lower case: accepted domains, routing and lookups compare this. */
  public String domainLower() {
    return domain.toLowerCase(Locale.ROOT);
  }

  /** The whole address in lower case, for case-insensitive comparison (as Exchange compares). */
  public String normalized() {
    return localPart.toLowerCase(Locale.ROOT) + "@" + domainLower();
  }

  @Override
  public String toString() {
    return localPart + "@" + domain;
  }

  private static String localPartProblem(String local) {
    if (local.isEmpty()) {
      return "empty local part (before the '@')";
    }
    if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART_OCTETS) {
      return "local part longer than " + MAX_LOCAL_PART_OCTETS + " octets";
    }
    if (local.startsWith("\"")) {
      return quotedStringProblem(local);
    }
    for (String atom : local.split("\\.", -1)) {
      if (atom.isEmpty()) {
        return "local part '" + local + "' has a leading, trailing or double dot";
      }
      for (int i = 0; i < atom.length(); i++) {
        char c = atom.charAt(i);
        boolean atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || ATEXT_SPECIALS.indexOf(c) >= 0 || c >= 0x80;
        if (!atext) {
          return "character '" + c + "' is not allowed in the local part '" + local
              + "' (quote the local part to use it)";
        }
      }
    }
    return null;
  }

  private static String quotedStringProblem(String local) {
    if (local.length() < 2 || !local.endsWith("\"")) {
      return "quoted local part " + local + " is not closed";
    }
    String inner = local.substring(1, local.length() - 1);
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c == '\\') {
        i++;
        if (i >= inner.length() || inner.charAt(i) < 32 || inner.charAt(i) > 126) {
          return "bad escape in quoted local part " + local;
        }
      } else if (c == '"' || (c < 32 && c != 9) || c == 127) { // RFC 5321 qtextSMTP (plus UTF-8)
        return "character " + (c == '"' ? "'\"'" : "code " + (int) c) + " must be escaped in quoted local part " + local;
      }
    }
    return null;
  }

  private static String domainProblem(String domain) {
    if (domain.isEmpty()) {
      return "empty domain (after the '@')";
    }
    if (domain.startsWith("[")) {
      if (!domain.endsWith("]")) {
        return "address literal " + domain + " is not closed with ']'";
      }
      String literal = domain.substring(1, domain.length() - 1);
      boolean ipv6Tagged = literal.regionMatches(true, 0, "IPv6:", 0, 5);
      String address = ipv6Tagged ? literal.substring(5) : literal;
      if (!IpRange.isAddress(address) || ipv6Tagged != address.contains(":")) {
        return "address literal " + domain + " is not [IPv4] or [IPv6:address]";
      }
      return null;
    }
    return hostNameProblem(domain);
  }

  private static String hostNameProblem(String name) {
    if (name.isEmpty()) {
      return "empty domain";
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN_OCTETS) {
      return "domain longer than " + MAX_DOMAIN_OCTETS + " octets";
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()) {
        return "domain '" + name + "' has a leading, trailing or double dot";
      }
      if (label.length() > 63) {
        return "domain label '" + label + "' is longer than 63 characters";
      }
      if (label.startsWith("-") || label.endsWith("-")) {
        return "domain label '" + label + "' starts or ends with a hyphen";
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c >= 0x80;
        if (!ok) {
          return "character '" + c + "' is not allowed in domain '" + name + "' (letters, digits, hyphens, dots)";
        }
      }
    }
    return null;
  }
}
