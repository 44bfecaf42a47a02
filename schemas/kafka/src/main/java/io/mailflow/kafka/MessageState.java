package io.mailflow.kafka;

/**
 * MessageState - what an administrator set on one queued copy (Suspend-Message, Resume-Message, Remove-Message),
 * as the {@code state} of a {@code MESSAGE} control record on mail.control.v1 whose target is the copy's internal
 * message id (the id {@code GET /api/v1/messages} lists). The delivery instance that owns the copy applies it when
 * it reaches the copy; the latest record per copy is in force ({@link ControlView}).
 */
public enum MessageState {
  /** Held in its queue without an attempt until resumed; it still expires (Suspend-Message). */
  Suspended,
  /** Back to normal: delivered on its schedule (Resume-Message). */
  Active,
  /** Delivered now: forwarded ahead of its retry time (a message's Retry-Queue). */
  Retry,
  /** Dropped from its queue; the sender is not told (Remove-Message -WithNDR $false). */
  Removed,
  /** Dropped from its queue; the sender gets a non-delivery report (Remove-Message -WithNDR $true). */
  RemovedWithNDR;

  /** The state a control record's {@code state} names, or null for another or no value. */
  public static MessageState of(String state) {
    for (MessageState s : values()) {
      if (s.name().equals(state)) {
        return s;
      }
    }
    return null;
  }

  /** The copy leaves its queue when delivery reaches it. */
  public boolean removes() {
    return this == Removed || this == RemovedWithNDR;
  }
}
