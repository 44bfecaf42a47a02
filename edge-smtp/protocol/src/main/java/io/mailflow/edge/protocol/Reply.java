package io.mailflow.edge.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reply - one SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code, and one or
 * more text lines.
 *
 * <p>Rendered per RFC 5321 4.2.1: every line but the last has a hyphen after the code; with an
 * enhanced status code every line carries it (RFC 2034).
 */
public record Reply(int code, String enhancedCode, List<String> lines) {

  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  public Reply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code must be 200-599, got " + code);
    }
    if (enhancedCode != null
        && (!ENHANCED.matcher(enhancedCode).matches() || enhancedCode.charAt(0) - '0' != code / 100)) {
      throw new IllegalArgumentException(
          "enhanced status code '" + enhancedCode + "' does not fit reply code " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("reply " + code + " needs at least one line of text");
    }
    for (String line : lines) {
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("reply text must not contain CR or LF: " + line);
      }
    }
  }

  /** A one-line reply, e.g. {@code of(250, "2.1.0", "Sender OK")}; enhancedCode may be null. */
  public static Reply of(int code, String enhancedCode, String text) {
    return new Reply(code, enhancedCode, List.of(text));
  }

  /** 2xx and 3xx: the command was accepted. */
  public boolean isPositive() {
    return code < 400;
  }

  /** 4xx: the client should try again later. */
  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  /** 5xx: the client must not repeat the same command. */
  public boolean isPermanent() {
    return code >= 500;
  }

  /** 221 and 421 end the session once sent (RFC 5321 3.8). */
  public boolean closesSession() {
    return code == 221 || code == 421;
  }

  /** The lines as sent, each without its CRLF, e.g. {@code 250-SIZE 37748736}. */
  public List<String> wireLines() {
    String prefix = enhancedCode == null ? "" : enhancedCode + " ";
    String[] out = new String[lines.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = code + (i == out.length - 1 ? " " : "-") + prefix + lines.get(i);
    }
    return List.of(out);
  }

  /** The reply exactly as written to the socket, CRLF after every line. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    for (String line : wireLines()) {
      sb.append(line).append("\r\n");
    }
    return sb.toString();
  }

  /** {@link #render()} as UTF-8 octets (reply texts may quote SMTPUTF8 addresses). */
  public byte[] bytes() {
    return render().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return String.join("\n", wireLines());
  }
}
