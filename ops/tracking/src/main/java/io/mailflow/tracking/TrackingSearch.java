package io.mailflow.tracking;

/**
 * TrackingSearch - what an admin asks the message-tracking log: Get-MessageTrackingLog's search, a delivery report
 * for one message, and how far the index has read. Every method blocks (a Lucene search, no network): call it
 * from a worker thread, never an event loop.
 */
public interface TrackingSearch {

  /**
   * The events matching every filter of {@code query}, oldest first, at most {@code query.resultSize()} of them
   * starting after {@code query.cursor()}.
   *
   * @throws TrackingQueryException when the cursor is not one this index gave
   */
  TrackingPage search(TrackingQuery query);

  /**
   * The delivery report of one message: {@code id} is its Message-ID header (with or without angle brackets) or
   * its network message id.
   *
   * @throws NoSuchMessageException naming {@code id} when no event of it is indexed
   */
  DeliveryReport report(String messageIdOrNetworkMessageId);

  /** How much the index holds and how far behind mail.tracking.v1 it is. */
  IndexStatus status();
}
