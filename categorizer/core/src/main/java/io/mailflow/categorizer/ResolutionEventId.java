package io.mailflow.categorizer;

/**
 * ResolutionEventId - what happened to a recipient while the categorizer resolved it. The names are Exchange's
 * message-tracking event ids; the Kafka adapter maps each to the tracking event it writes.
 */
public enum ResolutionEventId {
  /** A proxy address was resolved to its mailbox's primary address. */
  RESOLVE,
  /** A distribution group was expanded into its members. */
  EXPAND,
  /** A mailbox reached again through another group: delivered once, noted here. */
  DUPLICATEEXPAND,
  /** A contact or a forwarding mailbox was redirected to its target address. */
  REDIRECT,
  /** Recipients failed: not found, too many envelope recipients, or a sender the submitter may not send as. */
  FAIL
}
