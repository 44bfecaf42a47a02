package io.mailflow.dsn;

import java.util.Objects;

/**
 * DiagnosticReply - the SMTP reply that decided a recipient's fate, as a DSN reports it: it gives the
 * Status field and the Diagnostic-Code. Delivery's parsed SMTP reply implements it; a stage that refuses a
 * recipient itself (the categorizer's 5.1.1) uses {@link #of}.
 */
public interface DiagnosticReply {

  /** The reply code, 200..599. */
  int code();

  /** The RFC 3463 enhanced status, e.g. {@code 5.1.1}; empty when there is none. */
  String enhancedStatus();

  /** The reply text without code or status, lines joined by a space. */
  String text();

  /** The reply as one line, {@code 550 5.1.1 text}: what Diagnostic-Code and the report text show. */
  default String line() {
    StringBuilder sb = new StringBuilder().append(code());
    if (!enhancedStatus().isEmpty()) {
      sb.append(' ').append(enhancedStatus());
    }
    if (!text().isEmpty()) {
      sb.append(' ').append(text());
    }
    return sb.toString();
  }

  /** A reply a stage words itself. */
  static DiagnosticReply of(int code, String enhancedStatus, String text) {
    return new Plain(code, enhancedStatus, text);
  }

  /**
   * Reads a one-line reply as the tracking log writes it, {@code 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not
   * found}: code, then an enhanced status if the second word is one, then the text.
   *
   * @throws IllegalArgumentException naming the line when it does not start with a code 200..599
   */
  static DiagnosticReply parse(String line) {
    Objects.requireNonNull(line, "line");
    if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
        || (line.length() > 3 && line.charAt(3) != ' ')) {
      throw new IllegalArgumentException("not an SMTP reply line (want '550 5.1.1 text'): '" + line + "'");
    }
    int code = Integer.parseInt(line.substring(0, 3));
    String rest = line.length() > 4 ? line.substring(4) : "";
    int space = rest.indexOf(' ');
    String first = space < 0 ? rest : rest.substring(0, space);
    if (first.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") && first.charAt(0) == line.charAt(0)) {
      return of(code, first, space < 0 ? "" : rest.substring(space + 1));
    }
    return of(code, "", rest);
  }

  /** The plain implementation. */
  record Plain(int code, String enhancedStatus, String text) implements DiagnosticReply {
    public Plain {
      if (code < 200 || code > 599) {
        throw new IllegalArgumentException("SMTP reply code must be 200..599, got " + code);
      }
      Objects.requireNonNull(enhancedStatus, "enhancedStatus (use \"\" for none)");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
      return line();
    }
  }
}
