package io.mailflow.admin;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * QueueActions - Suspend-Queue, Resume-Queue and Retry-Queue, for {@code mailflow queue} and the admin API:
 * each is a ControlRecord {QUEUE, next-hop key, state, reason, setBy, setAt} on the compacted mail.control.v1,
 * which every delivery instance reads. The record is the audit: who, when, what and why. Blocking: call it off
 * any event loop.
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

  /** Reads the queue's setting, checks, and writes the action; answers the record once Kafka has it. */
  public static ControlRecord apply(String bootstrap, Action action, String identity, String reason, String setBy,
      Duration timeout, String clientId) {
    try (ControlView view = ControlView.start(bootstrap, clientId, timeout)) {
      check(action, identity, view.get(ControlKind.QUEUE, identity));
    }
    return write(bootstrap, ControlKind.QUEUE, identity, action.state, reason, setBy, timeout, clientId);
  }

  /**
   * Writes one control setting and waits for Kafka's acknowledgement.
   *
   * @throws KafkaUnavailableException when the write is not acknowledged within {@code timeout}
   */
  public static ControlRecord write(String bootstrap, ControlKind kind, String target, String state, String reason,
      String setBy, Duration timeout, String clientId) {
    ControlRecord record = ControlRecord.newBuilder().setKind(kind).setTarget(target).setState(state)
        .setReason(reason).setSetBy(setBy).setSetAt(Instant.now()).build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, clientId)) {
      publisher.send(Topics.CONTROL, ControlView.key(kind, target), record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while writing to " + Topics.CONTROL.name(), e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KafkaUnavailableException("cannot write to " + Topics.CONTROL.name() + " at " + bootstrap
          + " within " + timeout.toSeconds() + " s: " + cause, cause);
    }
    return record;
  }
}
