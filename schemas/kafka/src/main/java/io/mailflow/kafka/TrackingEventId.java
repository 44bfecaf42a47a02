package io.mailflow.kafka;

/**
 * TrackingEventId - the event-id field of a message-tracking event: Exchange's values (Get-MessageTrackingLog
 * -EventId), so a query written for Exchange's logs finds the same events here.
 *
 * <p>{@link #QUEUESTATE} and {@link #QUEUEACTION} are mailflow's own: they are about a delivery queue, not a
 * message's step, and Exchange's tracking log has no queue events (its queue actions are only in the admin
 * audit log).
 */
public enum TrackingEventId {
  /** A server received the message (SMTP from a client or another server). */
  RECEIVE,
  /** The message was handed to transport by a submission source. */
  SUBMIT,
  /** A recipient was resolved to another (primary) address. */
  RESOLVE,
  /** A distribution group was expanded into its members. */
  EXPAND,
  /** A recipient reached again through another group: delivered once, the repeat logged. */
  DUPLICATEEXPAND,
  /** A recipient was redirected (forwarding, contact's external address). */
  REDIRECT,
  /** Recipients were moved to a bifurcated copy, or the copy handed on to delivery. */
  TRANSFER,
  /** Delivered to a mailbox. */
  DELIVER,
  /** Sent by SMTP to another server. */
  SEND,
  /** Delivery failed for good. */
  FAIL,
  /** Delivery was deferred and will be retried. */
  DEFER,
  /** A delivery status notification was generated. */
  DSN,
  /** The message was resubmitted (Safety Net replay, Unreachable queue hand-back). */
  RESUBMIT,
  /** The message was parked as poison. */
  POISONMESSAGE,
  /** mailflow's own: a delivery queue's state (source QUEUE). */
  QUEUESTATE,
  /**
   * mailflow's own: an administrator suspended, resumed or retried a delivery queue (source ADMIN). Named after
   * QUEUESTATE, which it changes: the queue is the subject, the cmdlet in source-context is the verb.
   */
  QUEUEACTION
}
