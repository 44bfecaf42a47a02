package io.mailflow.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * OriginalHeaders - the header section of the message a DSN reports on: returned as
 * text/rfc822-headers, and read for the Subject and Message-ID the DSN refers to. Any bytes are
 * accepted: a message without a blank line is all headers, line ends become CRLF.
 */
final class OriginalHeaders {

  private final byte[] section;

  private OriginalHeaders(byte[] section) {
    this.section = section;
  }

  /** The header section of {@code message} (everything before the first empty line). */
  static OriginalHeaders of(byte[] message) {
    byte[] crlf = toCrlf(message);
    int end = indexOf(crlf, new byte[] {'\r', '\n', '\r', '\n'});
    byte[] section = end < 0 ? crlf : Arrays.copyOf(crlf, end + 2);
    if (end < 0 && section.length > 0 && section[section.length - 1] != '\n') {
      section = Arrays.copyOf(section, section.length + 2);
      section[section.length - 2] = '\r';
      section[section.length - 1] = '\n';
    }
    if (section.length >= 2 && section[0] == '\r' && section[1] == '\n') {
      section = new byte[0]; // the message starts with its body: no headers
    }
    return new OriginalHeaders(section);
  }

  /** The header lines, each ended by CRLF, without the empty line that ends the section. */
  byte[] bytes() {
    return section.clone();
  }

  /** The first field called {@code name}, unfolded and trimmed; 8-bit bytes read as UTF-8. */
  Optional<String> value(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    String[] lines = new String(section, StandardCharsets.UTF_8).split("\r\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].toLowerCase(Locale.ROOT).startsWith(prefix)) {
        StringBuilder value = new StringBuilder(lines[i].substring(prefix.length()));
        for (int j = i + 1; j < lines.length && !lines[j].isEmpty()
            && (lines[j].charAt(0) == ' ' || lines[j].charAt(0) == '\t'); j++) {
          value.append(lines[j]);
        }
        return Optional.of(value.toString().trim());
      }
    }
    return Optional.empty();
  }

  /** Every CRLF, bare LF and bare CR as CRLF. */
  static byte[] toCrlf(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 40 + 2);
    for (int i = 0; i < in.length; i++) {
      byte b = in[i];
      if (b == '\r') {
        out.write('\r');
        out.write('\n');
        if (i + 1 < in.length && in[i + 1] == '\n') {
          i++;
        }
      } else if (b == '\n') {
        out.write('\r');
        out.write('\n');
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
