package io.mailflow.dsn;

/** Xtext - decodes RFC 3461 xtext ({@code +XX} hex escapes), as ENVID and ORCPT arrive in SMTP. */
final class Xtext {

  private Xtext() {}

  /**
   * The decoded text; an escape that is not {@code +} and two upper-case hex digits stays as written,
   * and so does any decoded character that could break a header line (controls, CR, LF).
   */
  static String decode(String xtext) {
    StringBuilder out = new StringBuilder(xtext.length());
    for (int i = 0; i < xtext.length(); i++) {
      char c = xtext.charAt(i);
      if (c == '+' && i + 2 < xtext.length() && isHex(xtext.charAt(i + 1)) && isHex(xtext.charAt(i + 2))) {
        int decoded = Integer.parseInt(xtext.substring(i + 1, i + 3), 16);
        if (decoded > ' ' && decoded < 127) {
          out.append((char) decoded);
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }
}
