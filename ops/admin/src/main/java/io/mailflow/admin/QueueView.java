package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.QueueState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * QueueView - Get-Queue and Get-QueueDigest over a {@link MessageIndex.Snapshot}: one row per queue (next-hop key)
 * of the cluster, its message count and oldest copy from the index, its status, last error and next retry time from
 * the latest QUEUESTATE event any server reported, and the admin setting on mail.control.v1. Shared by the admin API
 * and {@code mailflow queue list|digest}.
 */
public final class QueueView {
  /** Get-QueueDigest's groupings. */
  public static final List<String> GROUP_BY = List.of("nextHopDomain", "lastError", "deliveryType");
  /** qshape's age buckets in minutes: "0" is under a minute, "5" up to 5 minutes ... "1280+" over 1280. */
  public static final List<String> AGE_BUCKETS = List.of("0", "5", "10", "20", "40", "80", "160", "320", "640", "1280",
      "1280+");
  /** How long a copy may wait before delivery fails it (TransportService's default MessageExpirationTimeout). */
  public static final Duration EXPIRATION = Duration.ofDays(2);

  private QueueView() {}

  /**
   * One queue.
   *
   * @param server the server that last reported it, or {@code *} when none has
   * @param admin the setting in force, or null
   */
  public record Row(String server, String nextHop, String deliveryType, String nextHopDomain, String status,
      int messageCount, Instant oldestReceived, String lastError, Instant nextRetryTime, double incomingRate,
      double outgoingRate, ControlRecord admin) {
    public String identity() {
      return server + "\\" + nextHop;
    }

    public Long oldestAgeSeconds(Instant now) {
      return oldestReceived == null ? null : Math.max(0, Duration.between(oldestReceived, now).toSeconds());
    }
  }

  /** Every queue with copies, reported by a server, or set by an admin; by next-hop key. */
  public static List<Row> rows(MessageIndex.Snapshot s) {
    Map<String, List<MessageIndex.Copy>> byQueue = new HashMap<>();
    s.copies().forEach(c -> byQueue.computeIfAbsent(c.queue(), k -> new ArrayList<>()).add(c));
    TreeSet<String> keys = new TreeSet<>(byQueue.keySet());
    keys.addAll(s.reported().keySet());
    s.control().values().stream().filter(r -> r.getKind() == ControlKind.QUEUE).forEach(r -> keys.add(r.getTarget()));
    List<Row> rows = new ArrayList<>();
    double window = MessageIndex.RATE_WINDOW.toSeconds();
    for (String key : keys) {
      List<MessageIndex.Copy> copies = byQueue.getOrDefault(key, List.of());
      MessageIndex.Reported reported = s.reported().get(key);
      QueueState q = reported == null ? null : reported.state();
      ControlRecord admin = s.control().get(ControlView.key(ControlKind.QUEUE, key));
      MessageIndex.Copy any = copies.isEmpty() ? null : copies.get(0);
      Instant oldest = copies.stream().map(MessageIndex.Copy::receivedAt).min(Instant::compareTo).orElse(null);
      String status;
      if (admin != null && "Suspended".equals(admin.getState())) {
        status = "Suspended";
      } else if (q != null) {
        status = q.getStatus();
      } else {
        status = copies.stream().anyMatch(c -> !"mail.delivery.v1".equals(c.topic())) ? "Retry" : "Ready";
      }
      rows.add(new Row(reported == null ? "*" : reported.server(), key,
          any != null ? any.deliveryType() : q != null ? q.getDeliveryType() : null,
          any != null ? any.nextHopDomain() : q != null ? q.getNextHopDomain() : null, status, copies.size(), oldest,
          q == null ? null : q.getLastError(), q == null ? null : q.getNextRetryTime(),
          s.entered().getOrDefault(key, 0) / window, s.left().getOrDefault(key, 0) / window, admin));
    }
    return rows;
  }

  /** The queue of that key, or null. */
  public static Row row(List<Row> rows, String nextHop) {
    return rows.stream().filter(r -> r.nextHop().equals(nextHop)).findFirst().orElse(null);
  }

  /** One group of Get-QueueDigest: its copies, queues and qshape age histogram. */
  public record Group(String key, int messageCount, int queueCount, int[] ages) {}

  /**
   * Get-QueueDigest grouped by {@code groupBy} (one of {@link #GROUP_BY}); groups with most copies first.
   *
   * @throws IllegalArgumentException for another grouping
   */
  public static List<Group> digest(MessageIndex.Snapshot s, String groupBy) {
    if (!GROUP_BY.contains(groupBy)) {
      throw new IllegalArgumentException("groupBy must be one of " + String.join(", ", GROUP_BY) + ", not '"
          + groupBy + "'");
    }
    Map<String, Row> queues = new HashMap<>();
    Map<String, int[]> ages = new TreeMap<>();
    Map<String, int[]> counts = new TreeMap<>(); // {messages, queues}
    for (Row r : rows(s)) {
      queues.put(r.nextHop(), r);
      counts.computeIfAbsent(groupKey(r, groupBy), k -> new int[2])[1]++;
      ages.computeIfAbsent(groupKey(r, groupBy), k -> new int[AGE_BUCKETS.size()]);
    }
    for (MessageIndex.Copy c : s.copies()) {
      String key = groupKey(queues.get(c.queue()), groupBy);
      counts.get(key)[0]++;
      ages.get(key)[bucket(Duration.between(c.receivedAt(), s.at()))]++;
    }
    List<Group> groups = new ArrayList<>();
    counts.forEach((k, n) -> groups.add(new Group(k, n[0], n[1], ages.get(k))));
    groups.sort((a, b) -> Integer.compare(b.messageCount(), a.messageCount()));
    return groups;
  }

  private static String groupKey(Row r, String groupBy) {
    String v = switch (groupBy) {
      case "nextHopDomain" -> r.nextHopDomain();
      case "lastError" -> r.lastError();
      default -> r.deliveryType();
    };
    return v == null || v.isEmpty() ? "-" : v;
  }

  /** qshape's bucket of an age: whole minutes 0, up to 5, up to 10 ... up to 1280, more. */
  static int bucket(Duration age) {
    long minutes = Math.max(0, age.toMinutes());
    if (minutes == 0) {
      return 0;
    }
    for (int i = 1; i < AGE_BUCKETS.size() - 1; i++) {
      if (minutes <= Long.parseLong(AGE_BUCKETS.get(i))) {
        return i;
      }
    }
    return AGE_BUCKETS.size() - 1;
  }
}
