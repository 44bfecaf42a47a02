package io.mailflow.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * SmtpReply - one complete SMTP reply (RFC 5321 4.2): the three-digit code, the RFC 3463 enhanced status
 * code when there is one, and the text of each line without code or status. The edge sends them, delivery
 * reads them from remote servers, and a DSN reports the one that decided a recipient's fate.
 *
 * <p><b>No enhanced status is the empty string</b>, never {@code null}: {@code SmtpReply.of(354, "", "go")}.
 * The constructor refuses {@code null}, so a reader can always write {@code enhancedStatus().isEmpty()}.
 *
 * <p>The text may hold anything a remote server or an exception message said; only {@link #toWireLines()}
 * (and so {@link #render()}, {@link #bytes()}) refuses a line with CR or LF, so no reply text can
 * smuggle another reply onto the wire.
 *
 * @param code the reply code, 200..599
 * @param enhancedStatus e.g. {@code 5.1.1}, of the code's class; empty when there is none
 * @param lines text of each reply line (at least one, possibly empty)
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) {

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("SMTP reply code must be 200..599, got " + code);
    }
    Objects.requireNonNull(enhancedStatus, "enhancedStatus (use \"\" for none)");
    if (!enhancedStatus.isEmpty()) {
      if (!EnhancedStatusCode.isWellFormed(enhancedStatus)) {
        throw new IllegalArgumentException("enhanced status must look like 5.1.1, got '" + enhancedStatus + "'");
      }
      if (!EnhancedStatusCode.fits(enhancedStatus, code)) {
        throw new IllegalArgumentException(
            "enhanced status code '" + enhancedStatus + "' does not fit reply code " + code);
      }
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("an SMTP reply has at least one line");
    }
  }

  /**
   * A one-line reply, e.g. {@code of(250, "2.1.0", "Sender OK")}; {@code text} is nothing but the text (no
   * code, no status); {@code enhancedStatus} is "" when there is none.
   */
  public static SmtpReply of(int code, String enhancedStatus, String text) {
    return new SmtpReply(code, enhancedStatus, List.of(text));
  }

  /**
   * Reads a reply written as one line, {@code 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found} (what
   * {@link #line()} writes and the message tracking log keeps): the code, then an enhanced status if the
   * second word is one of the code's class, then the text. For replies as they come off the wire, line by
   * line, use {@link SmtpReplyReader}.
   *
   * @throws IllegalArgumentException naming the line when it does not start with a code 200..599
   */
  public static SmtpReply parse(String line) {
    Objects.requireNonNull(line, "line");
    if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(c -> c >= '0' && c <= '9')
        || (line.length() > 3 && line.charAt(3) != ' ')) {
      throw new IllegalArgumentException("not an SMTP reply line (want '550 5.1.1 text'): '" + line + "'");
    }
    int code = Integer.parseInt(line.substring(0, 3));
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("SMTP reply code must be 200..599, got " + code + ": '" + line + "'");
    }
    String rest = line.length() > 4 ? line.substring(4) : "";
    String status = EnhancedStatusCode.leading(rest);
    if (!status.isEmpty() && EnhancedStatusCode.fits(status, code)) {
      return of(code, status, rest.length() == status.length() ? "" : rest.substring(status.length() + 1));
    }
    return of(code, "", rest);
  }

  /** 2xx: the command succeeded. */
  public boolean isPositive() {
    return code < 300;
  }

  /** 3xx: go on (354 after DATA, 334 during AUTH). */
  public boolean isIntermediate() {
    return code >= 300 && code < 400;
  }

  /** 4xx: try again later. */
  public boolean isTransientNegative() {
    return code >= 400 && code < 500;
  }

  /** 5xx: do not repeat the same command. */
  public boolean isPermanentNegative() {
    return code >= 500;
  }

  /** 221 and 421 end the session once sent (RFC 5321 3.8). */
  public boolean closesSession() {
    return code == 221 || code == 421;
  }

  /** The text of all lines joined by a space: what a log line or a DSN's Diagnostic-Code shows. */
  public String text() {
    return String.join(" ", lines);
  }

  /**
   * The reply as one line, {@code 550 5.1.1 text text}: what a DSN's Diagnostic-Code shows and Exchange
   * writes into the recipient-status field of the message tracking log. {@link #parse(String)} reads it back.
   */
  public String line() {
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

  /** {@link #line()}. */
  @Override
  public String toString() {
    return line();
  }

  /**
   * The reply as the wire lines a server sends, {@code 250-first} ... {@code 250 last}, each without CRLF;
   * with an enhanced status every line carries it (RFC 2034).
   *
   * @throws IllegalArgumentException when a line holds CR or LF (it would start another reply)
   */
  public List<String> toWireLines() {
    String status = enhancedStatus.isEmpty() ? "" : enhancedStatus + " ";
    String[] wire = new String[lines.size()];
    for (int i = 0; i < wire.length; i++) {
      String text = lines.get(i);
      if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("reply text must not contain CR or LF: " + text);
      }
      char sep = i == wire.length - 1 ? ' ' : '-';
      wire[i] = code + String.valueOf(sep) + status + text;
    }
    return List.of(wire);
  }

  /** The reply exactly as written to the socket, CRLF after every line. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    for (String line : toWireLines()) {
      sb.append(line).append("\r\n");
    }
    return sb.toString();
  }

  /** {@link #render()} as UTF-8 octets (reply texts may quote SMTPUTF8 addresses). */
  public byte[] bytes() {
    return render().getBytes(StandardCharsets.UTF_8);
  }
}
