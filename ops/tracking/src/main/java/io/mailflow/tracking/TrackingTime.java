package io.mailflow.tracking;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TrackingTime - a Start or End of a tracking search: an ISO-8601 instant or offset date-time, a local date-time or
 * date (in the given zone, as an admin reads the clock), {@code now}, or relative to now ({@code -90s},
 * {@code -30m}, {@code -2h}, {@code -30d}). The same forms as {@code mailflow replay}'s times (ops/cli ReplayTime).
 */
public final class TrackingTime {
  private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");
  /** The accepted forms, for error messages. */
  public static final String FORMS = "use an ISO-8601 instant (2026-11-22T10:00:00Z), a date (2026-11-22), a local "
      + "date-time (2026-11-22T10:00), now, or a relative time (-90s, -30m, -2h, -30d)";

  private TrackingTime() {}

  /**
   * {@code text} as an instant.
   *
   * @throws TrackingQueryException naming {@code parameter} and quoting {@code text} when it is none of the forms
   */
  public static Instant parse(String parameter, String text, Clock clock, ZoneId zone) {
    String t = text == null ? "" : text.trim();
    if (t.equalsIgnoreCase("now")) {
      return clock.instant();
    }
    Matcher relative = RELATIVE.matcher(t);
    if (relative.matches()) {
      long n = Long.parseLong(relative.group(1));
      Duration ago = switch (relative.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      return clock.instant().minus(ago);
    }
    String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + "T" + t.substring(11) : t;
    try {
      return Instant.parse(iso);
    } catch (DateTimeException notAnInstant) {
      // try the other forms
    }
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeException notOffset) {
      // try the other forms
    }
    try {
      return LocalDateTime.parse(iso).atZone(zone).toInstant();
    } catch (DateTimeException notLocal) {
      // try the other forms
    }
    try {
      return LocalDate.parse(iso).atStartOfDay(zone).toInstant();
    } catch (DateTimeException notADate) {
      throw new TrackingQueryException(parameter, parameter + " '" + text + "' is not a time: " + FORMS);
    }
  }
}
