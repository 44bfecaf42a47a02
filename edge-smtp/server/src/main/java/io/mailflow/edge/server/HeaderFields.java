package io.mailflow.edge.server;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HeaderFields - the Message-ID and Subject of a message, read from its header section for the
 * envelope and message tracking. Unfolds continuation lines and decodes RFC 2047 encoded words in
 * the subject, as Exchange's tracking log shows it. Reads only the octets it is given.
 */
record HeaderFields(String messageId, String subject) {

  private static final Pattern ENCODED_WORD =
      Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
  private static final Pattern BETWEEN_ENCODED_WORDS = Pattern.compile("(\\?=)\\s+(=\\?)");

  /** Parses the header section at the start of {@code message} (up to the first empty line). */
  static HeaderFields parse(byte[] message) {
    String head = new String(message, StandardCharsets.UTF_8); // RFC 6532: headers may be UTF-8
    String messageId = null;
    String subject = null;
    int at = 0;
    while (at < head.length()) {
      int end = lineEnd(head, at);
      if (end == at) {
        break; // empty line: end of the header section
      }
      // unfold: continuation lines start with a space or tab
      StringBuilder field = new StringBuilder().append(head, at, end);
      at = next(head, end);
      while (at < head.length() && (head.charAt(at) == ' ' || head.charAt(at) == '\t')) {
        int e = lineEnd(head, at);
        field.append(head, at, e);
        at = next(head, e);
      }
      int colon = field.indexOf(":");
      if (colon <= 0) {
        continue;
      }
      String name = field.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = field.substring(colon + 1).strip();
      if (name.equals("message-id") && messageId == null) {
        messageId = value.isEmpty() ? null : value;
      } else if (name.equals("subject") && subject == null) {
        subject = decodeEncodedWords(value);
      }
    }
    return new HeaderFields(messageId, subject);
  }

  /** RFC 2047: =?charset?B|Q?text?= words become text; unknown charsets stay as they are. */
  static String decodeEncodedWords(String value) {
    String joined = BETWEEN_ENCODED_WORDS.matcher(value).replaceAll("$1$2"); // space between words is dropped
    Matcher m = ENCODED_WORD.matcher(joined);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String decoded;
      try {
        Charset charset = Charset.forName(m.group(1).replaceFirst("\\*.*$", "")); // RFC 2231 language tag
        byte[] bytes = m.group(2).equalsIgnoreCase("B")
            ? Base64.getDecoder().decode(m.group(3))
            : quotedPrintable(m.group(3));
        decoded = new String(bytes, charset);
      } catch (RuntimeException e) {
        decoded = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(decoded));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static byte[] quotedPrintable(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '_') {
        out.write(' ');
      } else if (c == '=' && i + 2 < text.length()) {
        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static int lineEnd(String s, int from) {
    int lf = s.indexOf('\n', from);
    if (lf < 0) {
      return s.length();
    }
    return lf > from && s.charAt(lf - 1) == '\r' ? lf - 1 : lf;
  }

  private static int next(String s, int lineEnd) {
    if (lineEnd < s.length() && s.charAt(lineEnd) == '\r') {
      lineEnd++;
    }
    return lineEnd < s.length() ? lineEnd + 1 : lineEnd;
  }
}
