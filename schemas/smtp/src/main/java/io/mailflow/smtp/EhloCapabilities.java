package io.mailflow.smtp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * EhloCapabilities - the service extensions a server announced in its EHLO reply (RFC 5321 4.1.1.1):
 * keyword and parameters per line after the first.
 *
 * <p>A HELO session has {@link #none()}: the client then sends no extension parameters at all.
 */
public final class EhloCapabilities {

  private static final EhloCapabilities NONE = new EhloCapabilities("", Map.of());

  private final String serverDomain;
  private final Map<String, String> extensions;

  private EhloCapabilities(String serverDomain, Map<String, String> extensions) {
    this.serverDomain = serverDomain;
    this.extensions = extensions;
  }

  /** No extensions: what a server that only took HELO offers. */
  public static EhloCapabilities none() {
    return NONE;
  }

  /** Reads the extensions from a positive EHLO reply. */
  public static EhloCapabilities parse(SmtpReply ehloReply) {
    if (!ehloReply.isPositive()) {
      throw new IllegalArgumentException("EHLO capabilities come from a 2xx reply, got: " + ehloReply);
    }
    List<String> lines = ehloReply.lines();
    String first = lines.get(0).strip();
    int space = first.indexOf(' ');
    String domain = space < 0 ? first : first.substring(0, space);
    Map<String, String> extensions = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String text = line.strip();
      if (text.isEmpty()) {
        continue;
      }
      // Old servers announce "AUTH=LOGIN PLAIN" besides (or instead of) "AUTH LOGIN PLAIN".
      int cut = firstOf(text, ' ', '=');
      String keyword = (cut < 0 ? text : text.substring(0, cut)).toUpperCase(Locale.ROOT);
      String params = cut < 0 ? "" : text.substring(cut + 1).strip();
      extensions.merge(keyword, params, (a, b) -> a.isEmpty() ? b : b.isEmpty() ? a : a + " " + b);
    }
    return new EhloCapabilities(domain, Collections.unmodifiableMap(extensions));
  }

  private static int firstOf(String text, char a, char b) {
    int ia = text.indexOf(a);
    int ib = text.indexOf(b);
    if (ia < 0) {
      return ib;
    }
    return ib < 0 ? ia : Math.min(ia, ib);
  }

  /** The domain the server named itself with on the first EHLO line; empty after HELO. */
  public String serverDomain() {
    return serverDomain;
  }

  /** True when the server announced {@code keyword} (case-insensitive). */
  public boolean has(String keyword) {
    return extensions.containsKey(keyword.toUpperCase(Locale.ROOT));
  }

  /** The parameters after {@code keyword}, empty when none or not announced. */
  public String parameters(String keyword) {
    return extensions.getOrDefault(keyword.toUpperCase(Locale.ROOT), "");
  }

  /** Announced keywords, upper-case, in the server's order. */
  public Set<String> keywords() {
    return extensions.keySet();
  }

  public boolean pipelining() {
    return has("PIPELINING");
  }

  public boolean eightBitMime() {
    return has("8BITMIME");
  }

  public boolean smtpUtf8() {
    return has("SMTPUTF8");
  }

  public boolean startTls() {
    return has("STARTTLS");
  }

  public boolean enhancedStatusCodes() {
    return has("ENHANCEDSTATUSCODES");
  }

  public boolean dsn() {
    return has("DSN");
  }

  public boolean size() {
    return has("SIZE");
  }

  /**
   * The fixed message size limit from {@code SIZE n} (RFC 1870); 0 when SIZE was announced without a
   * number or with 0 (no fixed limit) or not at all.
   */
  public long sizeLimit() {
    String p = parameters("SIZE");
    if (p.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(p.split(" ")[0]);
    } catch (NumberFormatException e) {
      return 0; // a garbled limit is no limit we can honour; the server will say so at MAIL or DATA
    }
  }

  /** AUTH mechanisms, upper-case; empty when AUTH was not announced. */
  public List<String> authMechanisms() {
    String p = parameters("AUTH");
    return p.isEmpty() ? List.of() : List.of(p.toUpperCase(Locale.ROOT).split("\\s+"));
  }

  @Override
  public String toString() {
    return "EhloCapabilities" + keywords();
  }
}
