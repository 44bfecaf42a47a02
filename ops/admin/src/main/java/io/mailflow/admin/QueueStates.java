package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * QueueStates - Get-Queue, as {@code mailflow queue list} and {@code GET /api/v1/queues} both show it: each
 * delivery queue's latest QUEUESTATE event per server (mail.tracking.v1, read from its beginning to the end it
 * had when asked) with the admin setting in force on mail.control.v1. Blocking: call it off any event loop.
 */
public final class QueueStates {
  private QueueStates() {}

  /**
   * One queue as one server last reported it, or (server {@code *}) a queue an admin set before any server
   * reported it.
   *
   * @param admin the setting in force on mail.control.v1, or null
   */
  public record Row(String server, String identity, String deliveryType, String status, long messageCount,
      String nextHopDomain, Instant nextRetryTime, String lastError, ControlRecord admin) {
    /** {@code server\identity}, as Exchange's Get-Queue names a queue. */
    public String qualifiedIdentity() {
      return server + "\\" + identity;
    }
  }

  /**
   * Reads the queues now known.
   *
   * @throws KafkaUnavailableException when Kafka does not answer within {@code timeout}, or reading stalls
   */
  public static List<Row> read(String bootstrap, Duration timeout, String clientId) {
    Map<String, TrackingEvent> latest = new TreeMap<>();
    try (TopicReader<TrackingEvent> reader = TopicReader.between(bootstrap, Topics.TRACKING, Instant.EPOCH,
        Instant.now(), timeout)) {
      long idleLimit = TimeUnit.SECONDS.toNanos(Math.max(30, timeout.toSeconds() * 2));
      long last = System.nanoTime();
      while (!reader.finished()) {
        if (System.nanoTime() - last > idleLimit) {
          throw new KafkaUnavailableException("reading " + Topics.TRACKING.name() + " at " + bootstrap + " stalled",
              null);
        }
        for (TopicReader.Entry<TrackingEvent> e : reader.poll(Duration.ofMillis(200))) {
          last = System.nanoTime();
          if (e.decoded() && e.value().getQueue() != null) {
            latest.put(e.value().getServerHostname() + "\\" + e.value().getQueue().getIdentity(), e.value());
          }
        }
      }
    }
    Map<String, ControlRecord> settings;
    try (ControlView view = ControlView.start(bootstrap, clientId, timeout)) {
      settings = view.all();
    }
    List<Row> rows = new ArrayList<>();
    Set<String> shown = new HashSet<>();
    for (TrackingEvent e : latest.values()) {
      QueueState q = e.getQueue();
      shown.add(q.getIdentity());
      rows.add(new Row(e.getServerHostname(), q.getIdentity(), q.getDeliveryType(), q.getStatus(),
          q.getMessageCount(), q.getNextHopDomain(), q.getNextRetryTime(), q.getLastError(),
          settings.get(ControlView.key(ControlKind.QUEUE, q.getIdentity()))));
    }
    for (ControlRecord r : settings.values()) {
      if (r.getKind() == ControlKind.QUEUE && !shown.contains(r.getTarget())) {
        // set by an admin, no delivery instance has reported the queue yet
        rows.add(new Row("*", r.getTarget(), null, "Suspended".equals(r.getState()) ? "Suspended" : null, 0, null,
            null, null, r));
      }
    }
    return rows;
  }

  /** The rows of one queue (its next-hop key), one per server that reported it. */
  public static List<Row> of(List<Row> rows, String identity) {
    return rows.stream().filter(r -> r.identity().equals(identity)).toList();
  }

  /** The admin setting in force for a queue among {@code rows}, if any. */
  public static Optional<ControlRecord> setting(List<Row> rows, String identity) {
    return of(rows, identity).stream().map(Row::admin).filter(a -> a != null).findFirst();
  }
}
