package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SmtpPath - RFC 5321 4.1.2 paths: {@code <local@domain>}, the null path {@code <>}, and a source
 * route to ignore ({@code <@a,@b:local@domain>}). Lenient where Exchange is (spaces after the
 * colon, missing brackets), strict about what reaches an address.
 */
public final class SmtpPath {
  private SmtpPath() {}

  static final int MAX_LOCAL_PART = 64;
  static final int MAX_DOMAIN = 255;
  static final int MAX_PATH = 256;

  /** Where a path ends in a command argument, and the address it holds. */
  record Parsed(String address, int end) {}

  /**
   * Parses the path at the start of {@code text}. {@code address} is empty for {@code <>}.
   *
   * @param invalid the reply for a malformed address (sender and recipient differ in Exchange)
   */
  static Parsed parse(String text, SmtpReply invalid) throws SmtpSyntaxException {
    int end;
    String inner;
    if (text.startsWith("<")) {
      int close = closingBracket(text);
      if (close < 0) {
        throw new SmtpSyntaxException(invalid, "path has no closing '>': " + text);
      }
      inner = text.substring(1, close);
      end = close + 1;
    } else {
      int space = text.indexOf(' ');
      end = space < 0 ? text.length() : space;
      inner = text.substring(0, end);
      if (inner.isEmpty()) {
        throw new SmtpSyntaxException(invalid, "path is missing");
      }
    }
    if (inner.startsWith("@")) {
      int colon = inner.indexOf(':');
      if (colon < 0) {
        throw new SmtpSyntaxException(invalid, "source route without ':': " + inner);
      }
      inner = inner.substring(colon + 1);
    }
    if (!inner.isEmpty() && !inner.equalsIgnoreCase("postmaster") && !isMailbox(inner)) {
      throw new SmtpSyntaxException(invalid, "not a valid mailbox: " + inner);
    }
    if (inner.getBytes(StandardCharsets.UTF_8).length > MAX_PATH - 2) {
      throw new SmtpSyntaxException(invalid, "path longer than " + MAX_PATH + " octets");
    }
    return new Parsed(inner, end);
  }

  /** Whether {@code address} is a valid RFC 5321 Mailbox (local-part@domain), UTF-8 allowed. */
  public static boolean isMailbox(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      return false;
    }
    String local = address.substring(0, at);
    String domain = address.substring(at + 1);
    return isLocalPart(local) && (isDomain(domain) || isAddressLiteral(domain));
  }

  /** The lower-cased domain of an address; empty when it has none (bare postmaster). */
  public static String domainOf(String address) {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
  }

  /** Whether the text has characters outside US-ASCII (needs SMTPUTF8). */
  public static boolean isNonAscii(String text) {
    return text.chars().anyMatch(c -> c > 0x7f);
  }

  /** A domain name: dot-separated labels of letters, digits, hyphens (or UTF-8 U-labels). */
  public static boolean isDomain(String domain) {
    if (domain.isEmpty() || domain.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN) {
      return false;
    }
    for (String label : domain.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(Character.isLetterOrDigit(c) && (c < 0x80 || c > 0x9f)) && c != '-') {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}. */
  public static boolean isAddressLiteral(String domain) {
    if (!domain.startsWith("[") || !domain.endsWith("]") || domain.length() < 3) {
      return false;
    }
    String inner = domain.substring(1, domain.length() - 1);
    if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
      String v6 = inner.substring(5);
      return !v6.isEmpty() && v6.contains(":") && v6.chars().allMatch(c ->
          Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    String[] octets = inner.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String o : octets) {
      if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLocalPart(String local) {
    if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART) {
      return false;
    }
    if (local.startsWith("\"")) {
      return isQuotedString(local);
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      return false;
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (!(isAtext(c) || c == '.')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isQuotedString(String s) {
    if (s.length() < 2 || !s.endsWith("\"")) {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (++i >= s.length() - 1 || s.charAt(i) < 32 || s.charAt(i) == 127) {
          return false;
        }
      } else if (c == '"' || c < 32 || c == 127) {
        return false;
      }
    }
    return true;
  }

  /** RFC 5322 atext, plus UTF-8 (RFC 6531 extends it; whether it is allowed is the caller's call). */
  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || (c > 0x9f && !Character.isWhitespace(c));
  }

  /** Index of the '>' closing a path that starts with '<', skipping quoted local parts. */
  private static int closingBracket(String text) {
    boolean quoted = false;
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '>' && !quoted) {
        return i;
      }
    }
    return -1;
  }
}
