package io.mailflow.tracking;

import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.SmtpAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TrackingQuery - the filters of Get-MessageTrackingLog, AND-combined; a null (or empty list) filter matches every
 * event. Addresses, ids and server names compare without regard to case (the constructor lower-cases them); the
 * Message-ID is kept without its angle brackets.
 *
 * <p>Exchange's semantics (Get-MessageTrackingLog): {@code Recipients} matches an event when any of its
 * recipient-address entries equals any given address; {@code MessageSubject} matches a part of the subject;
 * {@code End} is exclusive ("up to, but not including"); {@code ResultSize} defaults to 1000, {@code Unlimited}
 * returns every match.
 *
 * @param sender sender-address, or null
 * @param recipients recipient addresses, any of which an event's recipient-address must hold; empty for any
 * @param messageId the Message-ID header without angle brackets, or null
 * @param networkMessageId network-message-id, or null
 * @param internalMessageId internal-message-id, or null
 * @param eventId event-id, or null
 * @param source source, or null
 * @param messageSubject a part of the subject (case-insensitive), or null; never matches when subject logging is off
 * @param server server-hostname: the whole name or its first label ({@code ex01} finds {@code ex01.contoso.com}), or
 *     null
 * @param reference reference (e.g. a DSN's original internal-message-id), or null
 * @param start the first date-time included, or null
 * @param end the first date-time excluded, or null
 * @param resultSize the most events one page returns: {@link #DEFAULT_RESULT_SIZE}, or {@link #UNLIMITED}
 * @param cursor where the page starts: the {@link TrackingPage#next()} of the page before, or null for the first
 */
public record TrackingQuery(String sender, List<String> recipients, String messageId, String networkMessageId,
    String internalMessageId, TrackingEventId eventId, TrackingSource source, String messageSubject, String server,
    String reference, Instant start, Instant end, int resultSize, String cursor) {

  /** Get-MessageTrackingLog's default -ResultSize. */
  public static final int DEFAULT_RESULT_SIZE = 1000;
  /** -ResultSize Unlimited: every match in one page. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  /** The parameter names {@link #fromParameters} accepts (any case, with or without a leading '-'). */
  public static final List<String> PARAMETERS = List.of("Sender", "Recipients", "MessageId", "NetworkMessageId",
      "InternalMessageId", "EventId", "Source", "MessageSubject", "Server", "Reference", "Start", "End", "ResultSize",
      "Cursor");

  public TrackingQuery {
    sender = lower(sender);
    recipients = recipients == null ? List.of() : recipients.stream().map(TrackingQuery::lower).toList();
    messageId = bareMessageId(messageId);
    networkMessageId = lower(networkMessageId);
    internalMessageId = lower(internalMessageId);
    messageSubject = messageSubject == null || messageSubject.isEmpty() ? null : messageSubject;
    server = lower(server);
    reference = lower(reference);
    if (start != null && end != null && start.isAfter(end)) {
      throw new TrackingQueryException("Start", "Start '" + start + "' is after End '" + end + "'");
    }
    if (resultSize < 1) {
      throw new TrackingQueryException("ResultSize", "ResultSize '" + resultSize
          + "' is not a positive number of results (or Unlimited)");
    }
    if (cursor != null) {
      TrackingCursor.decode(cursor); // a bad cursor fails here, naming the parameter
    }
  }

  /** Every event, the first {@link #DEFAULT_RESULT_SIZE}. */
  public static TrackingQuery all() {
    return new TrackingQuery(null, List.of(), null, null, null, null, null, null, null, null, null, null,
        DEFAULT_RESULT_SIZE, null);
  }

  /** This query from the page {@code next} points at. */
  public TrackingQuery withCursor(String next) {
    return new TrackingQuery(sender, recipients, messageId, networkMessageId, internalMessageId, eventId, source,
        messageSubject, server, reference, start, end, resultSize, next);
  }

  /** This query returning at most {@code size} events a page. */
  public TrackingQuery withResultSize(int size) {
    return new TrackingQuery(sender, recipients, messageId, networkMessageId, internalMessageId, eventId, source,
        messageSubject, server, reference, start, end, size, cursor);
  }

  /** As {@link #fromParameters(Map, Clock, ZoneId)} with the system clock and zone. */
  public static TrackingQuery fromParameters(Map<String, List<String>> parameters) {
    return fromParameters(parameters, Clock.systemUTC(), ZoneId.systemDefault());
  }

  /**
   * The query the parameters of an HTTP query string or a command line give: names as Get-MessageTrackingLog's
   * ({@link #PARAMETERS}, any case, a leading '-' allowed); {@code Recipients} may repeat and each value may list
   * addresses separated by commas; the others take one value. Times in the forms of {@link TrackingTime}, dates and
   * local times in {@code zone}, relative times from {@code clock}.
   *
   * @throws TrackingQueryException naming the parameter and quoting the value: an unknown name, a value given twice,
   *     a malformed address, a time that is not one, an unknown event id or source, Start after End, a ResultSize
   *     that is not a positive number or Unlimited, a cursor this index did not give
   */
  public static TrackingQuery fromParameters(Map<String, List<String>> parameters, Clock clock, ZoneId zone) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    parameters.forEach((name, values) -> {
      String canonical = canonicalName(name);
      byName.computeIfAbsent(canonical, n -> new ArrayList<>()).addAll(values == null ? List.of() : values);
    });
    String sender = address("Sender", single(byName, "Sender"));
    List<String> recipients = new ArrayList<>();
    for (String value : byName.getOrDefault("Recipients", List.of())) {
      for (String one : value.split(",")) {
        if (!one.isBlank()) {
          recipients.add(address("Recipients", one.trim()));
        }
      }
    }
    String messageId = single(byName, "MessageId");
    if (messageId != null && bareMessageId(messageId) == null) {
      throw new TrackingQueryException("MessageId", "MessageId '" + messageId + "' is empty");
    }
    TrackingEventId eventId = enumValue("EventId", single(byName, "EventId"), TrackingEventId.class);
    TrackingSource source = enumValue("Source", single(byName, "Source"), TrackingSource.class);
    String startText = single(byName, "Start");
    String endText = single(byName, "End");
    Instant start = startText == null ? null : TrackingTime.parse("Start", startText, clock, zone);
    Instant end = endText == null ? null : TrackingTime.parse("End", endText, clock, zone);
    if (start != null && end != null && start.isAfter(end)) {
      throw new TrackingQueryException("Start", "Start '" + startText + "' (" + start + ") is after End '" + endText
          + "' (" + end + ")");
    }
    return new TrackingQuery(sender, recipients, messageId, single(byName, "NetworkMessageId"),
        single(byName, "InternalMessageId"), eventId, source, single(byName, "MessageSubject"),
        single(byName, "Server"), single(byName, "Reference"), start, end,
        resultSize(single(byName, "ResultSize")), single(byName, "Cursor"));
  }

  private static String canonicalName(String name) {
    String bare = name == null ? "" : name.trim();
    if (bare.startsWith("-")) {
      bare = bare.substring(1);
    }
    for (String known : PARAMETERS) {
      if (known.equalsIgnoreCase(bare)) {
        return known;
      }
    }
    throw new TrackingQueryException(name, "unknown parameter '" + name + "': Get-MessageTrackingLog takes "
        + String.join(", ", PARAMETERS));
  }

  private static String single(Map<String, List<String>> byName, String name) {
    List<String> values = byName.getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw new TrackingQueryException(name, name + " given " + values.size() + " times (" + values
          + "): it takes one value");
    }
    if (values.isEmpty()) {
      return null;
    }
    String value = values.get(0) == null ? "" : values.get(0).trim();
    if (value.isEmpty()) {
      throw new TrackingQueryException(name, name + " '' is empty: leave the parameter out to match any value");
    }
    return value;
  }

  private static String address(String parameter, String text) {
    if (text == null) {
      return null;
    }
    String bare = text.startsWith("<") && text.endsWith(">") ? text.substring(1, text.length() - 1) : text;
    try {
      return SmtpAddress.parse(bare).normalized();
    } catch (IllegalArgumentException e) {
      throw new TrackingQueryException(parameter, parameter + " '" + text + "' is not an SMTP address: "
          + e.getMessage());
    }
  }

  private static <E extends Enum<E>> E enumValue(String parameter, String text, Class<E> type) {
    if (text == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(text)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    throw new TrackingQueryException(parameter, parameter + " '" + text + "' is not one of "
        + String.join(", ", names));
  }

  private static int resultSize(String text) {
    if (text == null) {
      return DEFAULT_RESULT_SIZE;
    }
    if (text.equalsIgnoreCase("Unlimited")) {
      return UNLIMITED;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException notANumber) {
      // said below
    }
    throw new TrackingQueryException("ResultSize", "ResultSize '" + text
        + "' is not a positive number of results or Unlimited");
  }

  private static String lower(String s) {
    return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT);
  }

  /** A Message-ID without its angle brackets and surrounding space, lower-cased; null when empty. */
  static String bareMessageId(String id) {
    if (id == null) {
      return null;
    }
    String t = id.trim();
    if (t.startsWith("<")) {
      t = t.substring(1);
    }
    if (t.endsWith(">")) {
      t = t.substring(0, t.length() - 1);
    }
    t = t.trim();
    return t.isEmpty() ? null : t.toLowerCase(Locale.ROOT);
  }
}
