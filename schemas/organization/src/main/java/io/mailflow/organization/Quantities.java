package io.mailflow.organization;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantities - counts, sizes and durations as an admin writes them in the organization file, in the
 * forms Exchange admins know: {@code 36MB}, {@code 36 MB (37,748,736 bytes)}, {@code 10m},
 * {@code 00:10:00}.
 *
 * <p>Each parser throws {@link IllegalArgumentException} whose message names the bad value and the
 * accepted forms.
 */
public final class Quantities {
  private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);
  // Exchange prints sizes as "36 MB (37,748,736 bytes)"; admins paste that back.
  private static final Pattern EXCHANGE_SIZE = Pattern.compile(".*\\(\\s*([\\d,]+)\\s*bytes\\s*\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)\\s*(d|h|m|s)", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(?:\\d+\\s*[dhms]\\s*)+", Pattern.CASE_INSENSITIVE);
  // Exchange's TimeSpan: [d.]hh:mm:ss
  private static final Pattern TIME_SPAN = Pattern.compile("(?:(\\d+)\\.)?(\\d{1,2}):(\\d{2}):(\\d{2})");

  private Quantities() {}

  static long number(String text) {
    String t = text.strip();
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException("expected a whole number, got '" + text + "'");
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("number '" + text + "' is too large");
    }
  }

  /** Bytes from {@code 36MB}, {@code 256 KB}, {@code 1.5GB}, {@code 37748736} (units are powers of 1024, as in Exchange). */
  public static long bytes(String text) {
    String t = text.strip();
    Matcher exchange = EXCHANGE_SIZE.matcher(t);
    if (exchange.matches()) {
      return number(exchange.group(1).replace(",", ""));
    }
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a size such as 36MB, 256KB, 1GB or a number of bytes, got '" + text + "'");
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    long multiplier = switch (unit) {
      case "KB" -> 1024L;
      case "MB" -> 1024L * 1024;
      case "GB" -> 1024L * 1024 * 1024;
      case "TB" -> 1024L * 1024 * 1024 * 1024;
      default -> 1L;
    };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("size '" + text + "' is too large");
    }
    if (bytes.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("size '" + text + "' is not a whole number of bytes");
    }
    return bytes.longValueExact();
  }

  /** Seconds from {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 2d}, {@code 00:10:00}, {@code 1.00:00:00} or a number of seconds. */
  static long seconds(String text) {
    try {
      return secondsExact(text);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
  }

  private static long secondsExact(String text) {
    String t = text.strip();
    if (WHOLE.matcher(t).matches()) {
      return number(t);
    }
    Matcher span = TIME_SPAN.matcher(t);
    if (span.matches()) {
      long days = span.group(1) == null ? 0 : number(span.group(1));
      long hours = number(span.group(2));
      long minutes = number(span.group(3));
      long secs = number(span.group(4));
      if (hours > 23 || minutes > 59 || secs > 59) {
        throw new IllegalArgumentException("time span '" + text + "' has hours above 23 or minutes/seconds above 59");
      }
      return Math.addExact(Math.multiplyExact(days, 86400), hours * 3600 + minutes * 60 + secs);
    }
    if (DURATION.matcher(t).matches()) {
      long total = 0;
      Matcher part = DURATION_PART.matcher(t);
      while (part.find()) {
        long amount = number(part.group(1));
        long unit = switch (part.group(2).toLowerCase(Locale.ROOT)) {
          case "d" -> 86400;
          case "h" -> 3600;
          case "m" -> 60;
          default -> 1;
        };
        total = Math.addExact(total, Math.multiplyExact(amount, unit));
      }
      return total;
    }
    throw new IllegalArgumentException("expected a duration such as 30s, 10m, 1h, 00:10:00 or a number of seconds, got '"
        + text + "'");
  }
}
