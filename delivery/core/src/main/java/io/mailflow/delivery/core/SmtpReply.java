package io.mailflow.delivery.core;

import io.mailflow.dsn.DiagnosticReply;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * SmtpReply - one complete SMTP reply: the three-digit code, the RFC 3463 enhanced status code when the
 * server sent one, and the text of each line without code or status.
 *
 * @param code the reply code, 200..599
 * @param enhancedStatus e.g. {@code 5.1.1}; empty when the server did not send one
 * @param lines text of each reply line (at least one, possibly empty)
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) implements DiagnosticReply {

  // RFC 3463: class "." subject "." detail, class 2/4/5, subject and detail up to three digits.
  private static final Pattern ENHANCED_STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("SMTP reply code must be 200..599, got " + code);
    }
    Objects.requireNonNull(enhancedStatus, "enhancedStatus (use \"\" for none)");
    if (!enhancedStatus.isEmpty()) {
      if (!ENHANCED_STATUS.matcher(enhancedStatus).matches()) {
        throw new IllegalArgumentException("enhanced status must look like 5.1.1, got '" + enhancedStatus + "'");
      }
      if (enhancedStatus.charAt(0) != Integer.toString(code).charAt(0)) {
        throw new IllegalArgumentException(
            "enhanced status class " + enhancedStatus + " does not match reply code " + code);
      }
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("an SMTP reply has at least one line");
    }
  }

  /** A one-line reply; {@code text} may start with nothing but the text (no code, no status). */
  public static SmtpReply of(int code, String enhancedStatus, String text) {
    return new SmtpReply(code, enhancedStatus, List.of(text));
  }

  /** True when {@code token} looks like an RFC 3463 enhanced status code (class 2, 4 or 5). */
  static boolean isEnhancedStatus(String token) {
    return ENHANCED_STATUS.matcher(token).matches();
  }

  /** 2xx: the command succeeded. */
  public boolean isPositive() {
    return code < 300;
  }

  /** 3xx: go on (354 after DATA). */
  public boolean isIntermediate() {
    return code >= 300 && code < 400;
  }

  /** 4xx: try again later. */
  public boolean isTransientNegative() {
    return code >= 400 && code < 500;
  }

  /** 5xx: do not try again. */
  public boolean isPermanentNegative() {
    return code >= 500;
  }

  /** The text of all lines joined by a space: what a log line or a DSN's Diagnostic-Code shows. */
  public String text() {
    return String.join(" ", lines);
  }

  /**
   * The reply as one line, {@code 550 5.1.1 text text}: the form Exchange writes into the
   * recipient-status field of the message tracking log.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(code);
    if (!enhancedStatus.isEmpty()) {
      sb.append(' ').append(enhancedStatus);
    }
    String text = text();
    if (!text.isEmpty()) {
      sb.append(' ').append(text);
    }
    return sb.toString();
  }

  /** The reply as the wire lines a server would send, {@code 250-first} ... {@code 250 last}, without CRLF. */
  public List<String> toWireLines() {
    String status = enhancedStatus.isEmpty() ? "" : enhancedStatus + " ";
    String[] wire = new String[lines.size()];
    for (int i = 0; i < wire.length; i++) {
      char sep = i == wire.length - 1 ? ' ' : '-';
      wire[i] = code + String.valueOf(sep) + status + lines.get(i);
    }
    return List.of(wire);
  }
}
