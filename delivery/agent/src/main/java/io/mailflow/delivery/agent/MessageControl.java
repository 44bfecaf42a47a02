package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.kafka.MessageState;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.smtp.SmtpReply;
import java.util.Optional;
import java.util.function.Function;

/**
 * MessageControl - what an administrator's action on one copy (a MESSAGE record on mail.control.v1, its state a
 * {@link MessageState}, its target the copy's internal message id) means when delivery reaches the copy, decided
 * before any agent sees it:
 * Suspend-Message holds it like a suspended queue (every recipient deferred, no attempt, its attempt count kept;
 * it still expires); Remove-Message fails every recipient with Exchange's {@value #REMOVED_TEXT} reply, tracked
 * FAIL from source ADMIN with no attempt, the sender told in an NDR only with -WithNDR; Resume-Message and a
 * message's retry let it go on as usual (its queue may still hold it).
 *
 * <p>The copy reaches delivery at once after an action: {@link RetryForwarder.Release} forwards it from its delay
 * topic. Pure: the records come from a lookup ({@code ControlView} in the stage).
 */
final class MessageControl {

  static final String REMOVED_TEXT = "550 4.3.2 QUEUE.Admin; message deleted by administrative action";
  /**
   * Exchange's reply for a message an admin deleted. Like expiry's {@code 550 4.4.7}, a permanent reply whose
   * status keeps the transient class: it rides in the text (our SmtpReply keeps class and status consistent), and
   * the NDR says Status 4.3.2 with Action failed, as Exchange's NDR does.
   */
  static final SmtpReply REMOVED = SmtpReply.of(550, "", REMOVED_TEXT.substring(4));

  private final Function<String, Optional<ControlRecord>> records;

  /** @param records the MESSAGE record in force for an internal message id, if any */
  MessageControl(Function<String, Optional<ControlRecord>> records) {
    this.records = records;
  }

  /**
   * The outcome an admin's action decides for {@code item} in its turn {@code turn}, instead of an attempt; empty
   * when there is no action in force or it lets the copy go on (Active, Retry, a state this version does not know).
   */
  Optional<Attempted> decide(DeliveryItem item, SourceContext turn) {
    Optional<ControlRecord> record = records.apply(item.getInternalMessageId());
    if (record.isEmpty()) {
      return Optional.empty();
    }
    ControlRecord action = record.get();
    MessageState state = MessageState.of(action.getState());
    if (state == null) {
      return Optional.empty();
    }
    return switch (state) {
      case Suspended -> Optional.of(Attempted.sameForAll(item,
          turn.queued().with("message suspended").with("no attempt"),
          SmtpReply.of(451, "4.4.0", "Message suspended " + byWhom(action))));
      case Removed, RemovedWithNDR -> Optional.of(removed(item, turn, action, state == MessageState.RemovedWithNDR));
      case Active, Retry -> Optional.empty();
    };
  }

  /** Every recipient failed 550 4.3.2 by the admin, no attempt; the sender hears of it only {@code withNdr}. */
  private static Attempted removed(DeliveryItem item, SourceContext turn, ControlRecord action, boolean withNdr) {
    SourceContext context = turn.queued()
        .with("message deleted by administrative action " + byWhom(action))
        .with(withNdr ? "NDR to the sender" : "no NDR")
        .with("no attempt");
    Attempted removed = Attempted.of(TrackingSource.ADMIN, item.getNextHop().getConnector(), null, context,
        DeliveryOutcome.sameFor(Attempted.addresses(item), REMOVED));
    return withNdr ? removed : removed.withFailuresUnreported();
  }

  /** {@code by <setBy>[: <reason>]}: who acted and why, as a suspension's reply and a removal's tracking say. */
  static String byWhom(ControlRecord action) {
    return "by " + action.getSetBy() + (action.getReason() == null || action.getReason().isBlank() ? ""
        : ": " + action.getReason());
  }
}
