package io.mailflow.logs;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LogFormat - one kind of Exchange log file: its name ({@code <prefix><yyyyMMdd[HH]>-<n>.LOG}, a new period each UTC
 * day or hour), the five header lines Exchange writes at the top of each file (#Software, #Version, #Log-type,
 * #Date, #Fields) and the fields of each line, in order.
 *
 * @param prefix the file name's prefix: RECV, SEND, MSGTRK, MSGTRKMD ...
 * @param rollover the period a file name carries (a new file begins when it changes)
 * @param logType the #Log-type header's value, e.g. {@code SMTP Receive Protocol Log}
 * @param fields the #Fields header's names, in the order of the values of each line
 */
public record LogFormat(String prefix, Rollover rollover, String logType, List<String> fields) {
  /** What #Software says. */
  public static final String SOFTWARE = "mailflow";
  /** What #Version (and MSGTRK's schema-version) says: Exchange 2016/2019's major version, which tools check. */
  public static final String VERSION = "15.0.0.0";
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  /** The period in a file's name: Exchange's protocol logs roll over daily, its message tracking logs hourly. */
  public enum Rollover {
    DAY("yyyyMMdd", ChronoUnit.DAYS),
    HOUR("yyyyMMddHH", ChronoUnit.HOURS);

    private final DateTimeFormatter format;
    private final int digits;
    private final ChronoUnit unit;

    Rollover(String pattern, ChronoUnit unit) {
      this.format = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
      this.digits = pattern.length();
      this.unit = unit;
    }

    /** The UTC period {@code at} falls in (its first instant, as a local date-time). */
    public LocalDateTime periodOf(Instant at) {
      return LocalDateTime.ofInstant(at, ZoneOffset.UTC).truncatedTo(unit);
    }

    String format(LocalDateTime period) {
      return format.format(period);
    }

    LocalDateTime parse(String digits) {
      return this == DAY ? java.time.LocalDate.parse(digits, format).atStartOfDay()
          : LocalDateTime.parse(digits + "00", DateTimeFormatter.ofPattern("yyyyMMddHHmm", Locale.ROOT));
    }
  }

  public LogFormat {
    if (prefix == null || !prefix.matches("[A-Z]+")) {
      throw new IllegalArgumentException("a log file prefix is capital letters, got " + prefix);
    }
    if (rollover == null || logType == null || fields == null || fields.isEmpty()) {
      throw new IllegalArgumentException(prefix + ": a log format needs a rollover, a log type and fields");
    }
    fields = List.copyOf(fields);
  }

  /** Exchange's name for the {@code n}th file of {@code period}, e.g. {@code MSGTRK2026030423-1.LOG}. */
  public String fileName(LocalDateTime period, int n) {
    return prefix + rollover.format(period) + "-" + n + ".LOG";
  }

  /** The five header lines, dated {@code created}, each ending CRLF. */
  public String header(Instant created) {
    return "#Software: " + SOFTWARE + "\r\n#Version: " + VERSION + "\r\n#Log-type: " + logType + "\r\n#Date: "
        + dateTime(created) + "\r\n#Fields: " + String.join(",", fields) + "\r\n";
  }

  /** Exchange's date-time field: ISO 8601 in UTC with milliseconds, {@code 2026-03-04T23:59:58.250Z}. */
  public static String dateTime(Instant at) {
    return ISO.format(at);
  }

  /** A file of this format in a directory listing: its period and number, or null when the name is not ours. */
  Name parse(String fileName) {
    Matcher m = pattern().matcher(fileName);
    if (!m.matches()) {
      return null;
    }
    try {
      return new Name(rollover.parse(m.group(1)), Integer.parseInt(m.group(2)));
    } catch (DateTimeParseException | NumberFormatException e) {
      return null; // RECV99999999-1.LOG is not a name we write
    }
  }

  private Pattern pattern() {
    return PATTERNS.computeIfAbsent(prefix + rollover.digits, k -> Pattern.compile(
        prefix + "(\\d{" + rollover.digits + "})-(\\d{1,9})\\.LOG", Pattern.CASE_INSENSITIVE));
  }

  private static final java.util.Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A parsed file name. */
  record Name(LocalDateTime period, int sequence) {}
}
