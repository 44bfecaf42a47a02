package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * PoisonActions - what an administrator does with a parked record, for {@code mailflow poison} and the admin API:
 * resubmit it (Exchange's Resume-Message on the poison queue: the key and value bytes go back, unchanged, to the
 * topic the stage read them from) or delete it (Remove-Message). mail.poison.v1 is an event log whose records stay
 * until retention, so the decision is a ControlRecord {POISON, id, Resubmitted | Deleted, reason, setBy, setAt} on
 * mail.control.v1, which the poison list reads; each is audited like a queue action, as a tracking event (source
 * ADMIN, event QUEUEACTION). Blocking: call it off any event loop.
 */
public final class PoisonActions {
  /** What an action sets, and the Exchange cmdlet its audit names. */
  public enum Action {
    /** Back to the original topic: the stage reads it again (and may park it again). */
    RESUBMIT(PoisonQueue.Status.Resubmitted, "Resume-Message", "resubmitted"),
    /** Nothing is written back; the entry is hidden from the list. */
    DELETE(PoisonQueue.Status.Deleted, "Remove-Message", "deleted");

    public final PoisonQueue.Status state;
    public final String cmdlet;
    public final String done;

    Action(PoisonQueue.Status state, String cmdlet, String done) {
      this.state = state;
      this.cmdlet = cmdlet;
      this.done = done;
    }
  }

  /** No parked record has that id (404). */
  public static final class Unknown extends RuntimeException {
    public Unknown(PoisonId id) {
      super("no parked record " + id + " on " + Topics.POISON.name()
          + " (never written, or removed by retention); the poison list shows the ids");
    }
  }

  /** The action is refused given what was decided before, or the record cannot go back unchanged (409). */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  /**
   * What an action did.
   *
   * @param record the decision in force: the one written, or for a repeated delete the one that stood
   * @param written false when nothing was written (the entry was deleted already: deleting is idempotent)
   * @param resubmitted where the bytes went back (null for delete)
   */
  public record Result(PoisonQueue.Entry entry, ControlRecord record, boolean written, RecordMetadata resubmitted) {}

  private PoisonActions() {}

  /**
   * Refuses a resubmit of an entry resubmitted or deleted before unless {@code force}: the stage may well park it
   * again, so a second time is a deliberate choice; and a record whose topic is no mailflow queue, or whose key is
   * no text, since it could not go back unchanged where a stage reads it.
   */
  static void check(Action action, PoisonId id, PoisonRecord parked, Optional<ControlRecord> current, boolean force) {
    if (action != Action.RESUBMIT) {
      return;
    }
    current.filter(r -> !force && PoisonQueue.status(r) != PoisonQueue.Status.Parked).ifPresent(r -> {
      throw new Refused("poison " + id + " was " + r.getState().toLowerCase(java.util.Locale.ROOT) + " by "
          + r.getSetBy() + " at " + r.getSetAt() + "; resubmit it again with force (the stage may park it again)");
    });
    Topic<?> topic = Topics.all().stream().filter(t -> t.name().equals(parked.getTopic())).findFirst().orElse(null);
    if (topic == null || topic.kind() != Topic.Kind.QUEUE) {
      throw new Refused("poison " + id + " came from " + parked.getTopic()
          + ", which is no queue a mailflow stage reads; it is not written back");
    }
    if (parked.getKey() != null && PoisonQueue.keyText(parked.getKey()) == null) {
      throw new Refused("poison " + id + " has a key that is not UTF-8 text; mailflow keys are text, so it cannot go"
          + " back unchanged");
    }
  }

  /**
   * Reads the parked record and the decision on it, checks, and (resubmit) writes the bytes back to their topic,
   * then the decision, then its tracking event, each waiting for Kafka's acknowledgement. If a later write is not
   * acknowledged, the earlier ones stand: a resubmit whose decision was not recorded still shows Parked, and doing
   * it again writes the bytes again.
   *
   * @throws Unknown when no parked record has that id
   * @throws Refused when the decision before forbids it, or the record cannot go back unchanged
   * @throws KafkaUnavailableException when Kafka does not answer within {@code timeout}
   */
  public static Result apply(String bootstrap, Action action, PoisonId id, String reason, boolean force,
      QueueActions.Actor actor, Duration timeout, String clientId) {
    return apply(bootstrap, action, id, reason, force, actor, timeout, clientId, EventEncoding.defaults());
  }

  /** As {@link #apply(String, Action, PoisonId, String, boolean, QueueActions.Actor, Duration, String)}, the audit
   * written as {@code encoding}. */
  public static Result apply(String bootstrap, Action action, PoisonId id, String reason, boolean force,
      QueueActions.Actor actor, Duration timeout, String clientId, EventEncoding encoding) {
    PoisonRecord parked = PoisonQueue.read(bootstrap, id, timeout).orElseThrow(() -> new Unknown(id));
    Optional<ControlRecord> current;
    try (ControlView view = ControlView.start(bootstrap, clientId, timeout)) {
      current = view.get(ControlKind.POISON, id.toString());
    }
    check(action, id, parked, current, force);
    if (action == Action.DELETE && current.filter(r -> PoisonQueue.status(r) == PoisonQueue.Status.Deleted)
        .isPresent()) {
      return new Result(PoisonQueue.entry(id, parked, current.get()), current.get(), false, null);
    }
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, clientId, encoding)) { // one producer, every write
      RecordMetadata back = null;
      if (action == Action.RESUBMIT) {
        back = publisher.sendRawAndWait(parked.getTopic(), PoisonQueue.keyText(parked.getKey()),
            parked.getValue() == null ? null : bytes(parked), timeout);
      }
      ControlRecord record = ControlRecord.newBuilder().setKind(ControlKind.POISON).setTarget(id.toString())
          .setState(action.state.name()).setReason(reason).setSetBy(actor.setBy()).setSetAt(Instant.now()).build();
      publisher.sendAndWait(Topics.CONTROL, ControlView.key(ControlKind.POISON, id.toString()), record, timeout);
      PoisonQueue.Entry entry = PoisonQueue.entry(id, parked, record);
      TrackingEvent audit = trackingEvent(action, entry, record, actor);
      publisher.sendAndWait(Topics.TRACKING, trackingKey(entry), audit, timeout);
      return new Result(entry, record, true, back);
    }
  }

  /** {@code poison\<id>}, as the audit names an entry (Exchange names poison queue messages {@code Poison\<id>}). */
  public static String identity(PoisonId id) {
    return "poison\\" + id;
  }

  /** mail.tracking.v1 is keyed by network message id: the message's when the entry names one, else its identity. */
  static String trackingKey(PoisonQueue.Entry entry) {
    return entry.networkMessageId() != null ? entry.networkMessageId() : identity(entry.id());
  }

  /**
   * The audit as a tracking event: source ADMIN, event QUEUEACTION (as queue actions), date-time = the record's
   * setAt, source-context = {@code Resume-Message -Identity poison\<id>; setBy=<who>; via=<api|cli>;
   * topic=<original topic>} (Remove-Message for delete), message-info = the reason, network-message-id = the
   * message's when the entry's key is one (else empty), client-ip = the API client.
   */
  static TrackingEvent trackingEvent(Action action, PoisonQueue.Entry entry, ControlRecord record,
      QueueActions.Actor actor) {
    return new Tracking(actor.server(), Clock.fixed(record.getSetAt(), ZoneOffset.UTC))
        .aboutNoMessage(QueueActions.SOURCE, QueueActions.EVENT)
        .setNetworkMessageId(entry.networkMessageId() == null ? "" : entry.networkMessageId())
        .setSourceContext(action.cmdlet + " -Identity " + identity(entry.id()) + "; setBy=" + record.getSetBy()
            + "; via=" + actor.via() + "; topic=" + entry.topic())
        .setMessageInfo(record.getReason())
        .setClientIp(actor.clientIp())
        .build();
  }

  private static byte[] bytes(PoisonRecord parked) {
    java.nio.ByteBuffer value = parked.getValue().duplicate();
    byte[] out = new byte[value.remaining()];
    value.get(out);
    return out;
  }
}
