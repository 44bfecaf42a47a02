package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.MessageState;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * MessageActions - Suspend-Message, Resume-Message, Retry-Message and Remove-Message (-WithNDR), for
 * {@code mailflow message} and the admin API: each is a ControlRecord {MESSAGE, internal message id, state,
 * reason, setBy, setAt} on mail.control.v1, which the delivery instance owning the copy applies when it reaches it
 * (a copy waiting on a delay topic is forwarded at once). Audited like {@link QueueActions}: the record, then a
 * tracking event (ADMIN, QUEUEACTION) keyed by the copy's network message id, so it shows in the message's
 * tracking timeline. Blocking: call it off any event loop.
 */
public final class MessageActions {
  /** What an action sets. */
  public enum Action {
    SUSPEND("Suspend-Message"),
    RESUME("Resume-Message"),
    RETRY("Retry-Message"),
    REMOVE("Remove-Message");

    public final String cmdlet;

    Action(String cmdlet) {
      this.cmdlet = cmdlet;
    }

    /** The state the control record carries. */
    public MessageState state(boolean withNdr) {
      return switch (this) {
        case SUSPEND -> MessageState.Suspended;
        case RESUME -> MessageState.Active;
        case RETRY -> MessageState.Retry;
        case REMOVE -> withNdr ? MessageState.RemovedWithNDR : MessageState.Removed;
      };
    }
  }

  /** The copy is not in a queue the action can act on (it left, or its removal is pending). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  /** No queued copy has that id (and none left recently). */
  public static final class Unknown extends RuntimeException {
    public Unknown(String message) {
      super(message);
    }
  }

  private MessageActions() {}

  /**
   * One copy by id, as the API and the CLI act on it: {@link Unknown} when the index holds no such copy,
   * {@link Refused} when it left its queue (delivered, failed, removed) or its removal is pending; else the record
   * written.
   */
  public static ControlRecord applyTo(String bootstrap, MessageIndex.Snapshot snapshot, Action action, String id,
      String reason, boolean withNdr, QueueActions.Actor actor, Duration timeout, String clientId) {
    return applyTo(bootstrap, snapshot, action, id, reason, withNdr, actor, timeout, clientId, EventEncoding.defaults());
  }

  /** As {@link #applyTo(String, MessageIndex.Snapshot, Action, String, String, boolean, QueueActions.Actor, Duration,
   * String)}, the audit written as {@code encoding}. */
  public static ControlRecord applyTo(String bootstrap, MessageIndex.Snapshot snapshot, Action action, String id,
      String reason, boolean withNdr, QueueActions.Actor actor, Duration timeout, String clientId,
      EventEncoding encoding) {
    MessageIndex.Copy copy = snapshot.copy(id);
    if (copy == null) {
      MessageIndex.Left left = snapshot.whenLeft(id);
      if (left != null) {
        throw new Refused("message '" + id + "' already left its queue (" + left.queue() + ") at "
            + left.at() + "; nothing to " + action.name().toLowerCase(java.util.Locale.ROOT));
      }
      throw new Unknown(unknown(snapshot, id));
    }
    check(action, copy, snapshot);
    return apply(bootstrap, action, List.of(copy), reason, withNdr, actor, timeout, clientId, encoding).get(0);
  }

  /** Why an id is not found: unknown, or when it left its queue. */
  public static String unknown(MessageIndex.Snapshot snapshot, String id) {
    MessageIndex.Left left = snapshot.whenLeft(id);
    return left == null ? "no queued message '" + id + "'; GET /api/v1/messages (mailflow message list) lists them"
        : "message '" + id + "' left its queue (" + left.queue() + ") at " + left.at();
  }

  /** The queued copies the query matches that the action may act on (a copy being removed is left alone). */
  public static List<MessageIndex.Copy> targets(MessageIndex.Snapshot snapshot, Action action, MessageQuery query) {
    List<MessageIndex.Copy> targets = new ArrayList<>();
    for (MessageIndex.Copy c : query.matching(snapshot)) {
      try {
        check(action, c, snapshot);
        targets.add(c);
      } catch (Refused skipped) {
        // left alone by a filter
      }
    }
    return targets;
  }

  /**
   * Refuses an action on a copy whose removal is pending, other than removing it again: a later Suspended or Active
   * record would take the place of the Removed one on the compacted topic and undo the removal.
   */
  public static void check(Action action, MessageIndex.Copy copy, MessageIndex.Snapshot snapshot) {
    if (action != Action.REMOVE && "PendingRemove".equals(snapshot.status(copy))) {
      throw new Refused("message " + copy.id() + " is being removed; it can no longer be "
          + action.name().toLowerCase(java.util.Locale.ROOT) + "d");
    }
  }

  /**
   * Writes the action for each copy (one control record each, acknowledged), then their tracking events; answers
   * the records in order. If a tracking event is not acknowledged the control records stand (actions are
   * idempotent).
   *
   * @throws KafkaUnavailableException when Kafka does not acknowledge within {@code timeout}
   */
  public static List<ControlRecord> apply(String bootstrap, Action action, List<MessageIndex.Copy> targets,
      String reason, boolean withNdr, QueueActions.Actor actor, Duration timeout, String clientId) {
    return apply(bootstrap, action, targets, reason, withNdr, actor, timeout, clientId, EventEncoding.defaults());
  }

  /** As {@link #apply(String, Action, List, String, boolean, QueueActions.Actor, Duration, String)}, the audit
   * written as {@code encoding}. */
  public static List<ControlRecord> apply(String bootstrap, Action action, List<MessageIndex.Copy> targets,
      String reason, boolean withNdr, QueueActions.Actor actor, Duration timeout, String clientId,
      EventEncoding encoding) {
    List<ControlRecord> records = new ArrayList<>();
    if (targets.isEmpty()) {
      return records;
    }
    MessageState state = action.state(withNdr);
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, clientId, encoding)) { // one producer, every write
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (MessageIndex.Copy copy : targets) {
        ControlRecord record = ControlRecord.newBuilder().setKind(ControlKind.MESSAGE).setTarget(copy.id())
            .setState(state.name()).setReason(reason).setSetBy(actor.setBy()).setSetAt(Instant.now()).build();
        sent.add(publisher.send(Topics.CONTROL, ControlView.key(ControlKind.MESSAGE, copy.id()), record));
        records.add(record);
      }
      awaitAll(sent, Topics.CONTROL.name(), timeout); // the actions stand before any audit says they were taken
      sent.clear();
      for (int i = 0; i < targets.size(); i++) {
        MessageIndex.Copy copy = targets.get(i);
        sent.add(publisher.send(Topics.TRACKING, copy.networkMessageId(),
            trackingEvent(action, withNdr, copy, records.get(i), actor)));
      }
      awaitAll(sent, Topics.TRACKING.name(), timeout);
    }
    return records;
  }

  private static void awaitAll(List<CompletableFuture<?>> sent, String topic, Duration timeout) {
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KafkaUnavailableException("cannot write to " + topic + " within " + timeout.toSeconds() + " s: "
          + cause, cause);
    }
  }

  /**
   * The audit: source ADMIN, event QUEUEACTION, the copy's network and internal message ids, date-time = setAt,
   * source-context {@code Suspend-Message -Identity <id>; setBy=<who>; via=<api|cli>; state=<state>}
   * ({@code Remove-Message -Identity <id> -WithNDR $true|$false; ...}), message-info = the reason.
   */
  static TrackingEvent trackingEvent(Action action, boolean withNdr, MessageIndex.Copy copy, ControlRecord record,
      QueueActions.Actor actor) {
    String command = action.cmdlet + " -Identity " + copy.id()
        + (action == Action.REMOVE ? " -WithNDR $" + withNdr : "");
    return new Tracking(actor.server(), Clock.fixed(record.getSetAt(), ZoneOffset.UTC))
        .aboutNoMessage(QueueActions.SOURCE, QueueActions.EVENT)
        .setNetworkMessageId(copy.networkMessageId())
        .setInternalMessageId(copy.id())
        .setMessageId(copy.messageIdHeader())
        .setSenderAddress(copy.sender())
        .setRecipientAddress(copy.recipients())
        .setRecipientCount(copy.recipients().size())
        .setSourceContext(command + "; setBy=" + record.getSetBy() + "; via=" + actor.via() + "; state="
            + record.getState())
        .setMessageInfo(record.getReason())
        .setClientIp(actor.clientIp())
        .build();
  }
}
