package io.mailflow.admin;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * MessageQuery - Get-Message's filters and paging: {@code queue} (next-hop key, or server\key as listed),
 * {@code sender} and {@code recipient} (case-insensitive, {@code *} a wildcard), {@code status}; sorted by date
 * received then id; {@code limit} (default 100, at most 1000) and {@code after} (the opaque cursor a page's
 * {@code next} gave). Bad values are {@link IllegalArgumentException}s saying what was wrong.
 */
public record MessageQuery(String queue, String sender, String recipient, String status, int limit, String after) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  public static final List<String> STATUSES = List.of("Ready", "Retry", "Suspended", "PendingRemove", "Active");
  private static final Set<String> FILTERS = Set.of("queue", "sender", "recipient", "status");
  private static final Set<String> PAGING = Set.of("limit", "after");

  public MessageQuery {
    if (queue != null && queue.contains("\\")) {
      queue = queue.substring(queue.indexOf('\\') + 1);
    }
    if (status != null && !STATUSES.contains(status)) {
      throw new IllegalArgumentException("status must be one of " + String.join(", ", STATUSES) + ", not '" + status
          + "'");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ", not " + limit);
    }
    if (after != null) {
      cursor(after); // validates
    }
  }

  /**
   * From query parameters (first value of each).
   *
   * @param paging whether limit and after are allowed (a list), or only filters (an action by filter)
   */
  public static MessageQuery of(Map<String, List<String>> params, boolean paging) {
    for (String name : params.keySet()) {
      if (!FILTERS.contains(name) && !(paging && PAGING.contains(name))) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; use "
            + (paging ? "queue, sender, recipient, status, limit, after" : "queue, sender, recipient, status"));
      }
    }
    int limit = DEFAULT_LIMIT;
    String l = first(params, "limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("limit must be a number 1-" + MAX_LIMIT + ", not '" + l + "'");
      }
    }
    return new MessageQuery(first(params, "queue"), first(params, "sender"), first(params, "recipient"),
        first(params, "status"), limit, first(params, "after"));
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
      return null;
    }
    return values.get(0);
  }

  public boolean hasFilter() {
    return queue != null || sender != null || recipient != null || status != null;
  }

  /** The copies that match, sorted by date received, then id. */
  public List<MessageIndex.Copy> matching(MessageIndex.Snapshot s) {
    Pattern from = glob(sender);
    Pattern to = glob(recipient);
    List<MessageIndex.Copy> found = new ArrayList<>();
    for (MessageIndex.Copy c : s.copies()) {
      if ((queue == null || queue.equals(c.queue()))
          && (from == null || from.matcher(c.sender()).matches())
          && (to == null || c.recipients().stream().anyMatch(r -> to.matcher(r).matches()))
          && (status == null || status.equals(s.status(c)))) {
        found.add(c);
      }
    }
    return found; // the snapshot's copies are in MessageIndex.ORDER already
  }


  /** The page after the cursor, at most {@code limit}, of copies in {@link MessageIndex#ORDER}. */
  public List<MessageIndex.Copy> page(List<MessageIndex.Copy> sorted) {
    int start = 0;
    if (after != null) {
      Cursor c = cursor(after);
      // the first copy after the cursor's (dateReceived, id)
      int lo = 0;
      int hi = sorted.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        MessageIndex.Copy m = sorted.get(mid);
        int cmp = m.receivedAt().compareTo(c.receivedAt());
        if (cmp == 0) {
          cmp = m.id().compareTo(c.id());
        }
        if (cmp <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      start = lo;
    }
    return sorted.subList(start, Math.min(sorted.size(), start + limit));
  }

  private record Cursor(Instant receivedAt, String id) {}

  /** The cursor that continues after {@code last}. */
  public static String cursorAfter(MessageIndex.Copy last) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((last.receivedAt().toEpochMilli() + "|" + last.id())
        .getBytes(StandardCharsets.UTF_8));
  }

  private static Cursor cursor(String after) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
      int bar = text.indexOf('|');
      return new Cursor(Instant.ofEpochMilli(Long.parseLong(text.substring(0, bar))), text.substring(bar + 1));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("after must be the 'next' cursor of a previous page, not '" + after + "'");
    }
  }

  private static Pattern glob(String pattern) {
    if (pattern == null) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (String part : pattern.split("\\*", -1)) {
      parts.add(Pattern.quote(part));
    }
    return Pattern.compile(String.join(".*", parts), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }
}
