package io.mailflow.dsn;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HeaderLines - writes header fields (and delivery-status fields, which share their syntax) that can
 * never break the message: control characters become spaces, long values fold at spaces before 78
 * characters (RFC 5322 2.2.3), and no line exceeds 998 characters even without a space to fold at.
 */
final class HeaderLines {

  static final int FOLD_AT = 78;
  static final int HARD_LIMIT = 998;

  private HeaderLines() {}

  /** {@code Name: value} with CRLF, folded. */
  static String field(String name, String value) {
    return fold(name + ": " + clean(value), FOLD_AT, " ");
  }

  /** Body text: each paragraph wrapped at {@code width}, every line ended by CRLF. */
  static String wrap(String paragraph, int width) {
    return fold(clean(paragraph), width, "");
  }

  /** Controls (CR and LF included) become spaces: a value can never start a new field or part. */
  static String clean(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      sb.append(c < ' ' || c == 127 ? ' ' : c);
    }
    return sb.toString();
  }

  /**
   * The value as an RFC 2047 encoded word sequence when it is not ASCII (each word at most 75
   * characters, whole code points per word), else unchanged.
   */
  static String encodeIfNeeded(String value) {
    if (value.chars().allMatch(c -> c < 128)) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    StringBuilder chunk = new StringBuilder();
    int chunkBytes = 0;
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      int n = ch.getBytes(StandardCharsets.UTF_8).length;
      if (chunkBytes + n > 45) { // 45 bytes -> 60 base64 characters + 12 of =?utf-8?B?...?= = 72
        appendWord(out, chunk);
        chunk.setLength(0);
        chunkBytes = 0;
      }
      chunk.append(ch);
      chunkBytes += n;
      i += Character.charCount(cp);
    }
    appendWord(out, chunk);
    return out.toString();
  }

  private static void appendWord(StringBuilder out, CharSequence chunk) {
    if (chunk.length() == 0) {
      return;
    }
    if (out.length() > 0) {
      out.append(' ');
    }
    out.append("=?utf-8?B?")
        .append(Base64.getEncoder().encodeToString(chunk.toString().getBytes(StandardCharsets.UTF_8)))
        .append("?=");
  }

  /** Breaks {@code line} at spaces so lines stay under {@code width} where a space allows it. */
  private static String fold(String line, int width, String continuation) {
    StringBuilder out = new StringBuilder(line.length() + 8);
    String rest = line;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      if (cut <= continuation.length()) {
        cut = rest.indexOf(' ', width);
        if (cut < 0 || cut > HARD_LIMIT) {
          cut = Math.min(rest.length(), HARD_LIMIT);
        }
      }
      if (cut >= rest.length()) {
        break;
      }
      out.append(rest, 0, cut).append("\r\n");
      // A folded header keeps the space (it starts the continuation); wrapped body text drops it. A
      // header cut where there was no space gets one: a continuation line must start with white space.
      rest = rest.substring(cut);
      if (continuation.isEmpty()) {
        rest = stripLeadingSpace(rest);
      } else if (!rest.startsWith(" ")) {
        rest = continuation + rest;
      }
    }
    return out.append(rest).append("\r\n").toString();
  }

  private static String stripLeadingSpace(String s) {
    return s.startsWith(" ") ? s.substring(1) : s;
  }
}
