package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.TrackingEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/**
 * QueueActions - Suspend-Queue, Resume-Queue and Retry-Queue, for {@code mailflow queue} and the admin API:
 * each is a ControlRecord {QUEUE, next-hop key, state, reason, setBy, setAt} on the compacted mail.control.v1,
 * which every delivery instance reads. The record is the audit: who, when, what and why; the same is also written
 * as a tracking event on mail.tracking.v1 ({@link #trackingEvent}), so {@code mailflow events tail --topic
 * tracking} shows it beside the queue's QUEUESTATE events. Blocking: call it off any event loop.
 */
public final class QueueActions {
  /** What an action sets, and how the confirmation says it. */
  public enum Action {
    /** No delivery attempts; the copies wait (and still expire). */
    SUSPEND("Suspended", "suspended"),
    /** Active, not Cleared: who resumed stays visible. */
    RESUME("Active", "resumed"),
    /** A queue in Retry connects now, and its copies waiting on delay topics go now. */
    RETRY("Retry", "retried now");

    public final String state;
    public final String done;

    Action(String state, String done) {
      this.state = state;
      this.done = done;
    }
  }

  /** The action is refused given the queue's current setting (retry of a suspended queue). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  /** The source and event id of an action's tracking event. */
  public static final TrackingSource SOURCE = TrackingSource.ADMIN;
  /**
   * mailflow's own event id: Exchange's tracking log has no queue events (Suspend-Queue is only in its admin audit
   * log) and its ADMIN events are about messages (a deletion in Queue Viewer is a FAIL). QUEUEACTION pairs with
   * QUEUESTATE: same subject, a queue; the cmdlet in source-context says which action.
   */
  public static final TrackingEventId EVENT = TrackingEventId.QUEUEACTION;

  /**
   * Who acts, and through what.
   *
   * @param setBy the administrator's name (the API) or user@host (the CLI)
   * @param via {@code api} or {@code cli}
   * @param clientIp the API client's address, or null
   * @param server the server that took the action: the organization's server name for the admin API, this
   *     machine's host name for the CLI ({@link #thisMachine()})
   */
  public record Actor(String setBy, String via, String clientIp, String server) {}

  private QueueActions() {}

  /**
   * Refuses {@code action} when the queue's current setting forbids it: a suspended queue is resumed before it
   * is retried.
   */
  public static void check(Action action, String identity, Optional<ControlRecord> current) {
    if (action == Action.RETRY) {
      current.filter(r -> "Suspended".equals(r.getState())).ifPresent(r -> {
        throw new Refused("queue " + identity + " is suspended (by " + r.getSetBy() + "); resume it first");
      });
    }
  }

  /**
   * Reads the queue's setting, checks, and writes the action, then its tracking event; answers the record once
   * Kafka has both. When the tracking event is not acknowledged the action stands (actions are idempotent: doing
   * it again writes both).
   */
  public static ControlRecord apply(String bootstrap, Action action, String identity, String reason, Actor actor,
      Duration timeout, String clientId) {
    return apply(bootstrap, action, identity, reason, actor, timeout, clientId, EventEncoding.defaults());
  }

  /** As {@link #apply(String, Action, String, String, Actor, Duration, String)}, the audit written as {@code encoding}. */
  public static ControlRecord apply(String bootstrap, Action action, String identity, String reason, Actor actor,
      Duration timeout, String clientId, EventEncoding encoding) {
    try (ControlView view = ControlView.start(bootstrap, clientId, timeout)) {
      check(action, identity, view.get(ControlKind.QUEUE, identity));
    }
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, clientId, encoding)) { // one producer, both writes
      ControlRecord record = write(publisher, ControlKind.QUEUE, identity, action.state, reason, actor.setBy(),
          timeout);
      publisher.sendAndWait(Topics.TRACKING, identity, trackingEvent(action, record, actor), timeout);
      return record;
    }
  }

  /**
   * The audit as a tracking event, keyed like QUEUESTATE by the next-hop key: source ADMIN, event QUEUEACTION,
   * date-time = the record's setAt (when), source-context = {@code Suspend-Queue -Identity <key>; setBy=<who>;
   * via=<api|cli>; state=<state>} (what, who), message-info = the reason (why), client-ip = the API client.
   * network-message-id is empty and {@code queue} null: it is about no message, and no queue view takes it for a
   * queue's state.
   */
  static TrackingEvent trackingEvent(Action action, ControlRecord record, Actor actor) {
    String cmdlet = action.name().charAt(0) + action.name().substring(1).toLowerCase(Locale.ROOT) + "-Queue";
    return new Tracking(actor.server(), Clock.fixed(record.getSetAt(), ZoneOffset.UTC)).aboutNoMessage(SOURCE, EVENT)
        .setSourceContext(cmdlet + " -Identity " + record.getTarget() + "; setBy=" + record.getSetBy() + "; via="
            + actor.via() + "; state=" + record.getState())
        .setMessageInfo(record.getReason())
        .setClientIp(actor.clientIp())
        .build();
  }

  /** This machine's host name: the server a CLI action names, since the CLI reads no organization. */
  public static String thisMachine() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * Writes one control setting and waits for Kafka's acknowledgement.
   *
   * @throws KafkaUnavailableException when the write is not acknowledged within {@code timeout}
   */
  public static ControlRecord write(String bootstrap, ControlKind kind, String target, String state, String reason,
      String setBy, Duration timeout, String clientId) {
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, clientId)) {
      return write(publisher, kind, target, state, reason, setBy, timeout);
    }
  }

  private static ControlRecord write(TopicPublisher publisher, ControlKind kind, String target, String state,
      String reason, String setBy, Duration timeout) {
    ControlRecord record = ControlRecord.newBuilder().setKind(kind).setTarget(target).setState(state)
        .setReason(reason).setSetBy(setBy).setSetAt(Instant.now()).build();
    publisher.sendAndWait(Topics.CONTROL, ControlView.key(kind, target), record, timeout);
    return record;
  }
}
