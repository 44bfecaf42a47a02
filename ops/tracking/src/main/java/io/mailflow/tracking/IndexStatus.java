package io.mailflow.tracking;

import java.time.Instant;
import java.util.Map;

/**
 * IndexStatus - the state of a message-tracking index.
 *
 * @param eventsIndexed events the index holds now (after retention deletes)
 * @param lastIndexed when the index last took an event (wall clock), or null before the first
 * @param newestEvent the date-time of the newest event taken, or null before the first
 * @param positions per partition of mail.tracking.v1, the offset of the next record the index will read
 * @param lag records on mail.tracking.v1 not indexed yet, summed over partitions (as of the last poll)
 * @param undecodable records skipped because they did not decode as a TrackingEvent, since this process started
 * @param rebuilding true while the index is being built from the topic's beginning (first start, or after a
 *     corrupt index was moved aside) and has not caught up with the end it saw at start
 */
public record IndexStatus(long eventsIndexed, Instant lastIndexed, Instant newestEvent,
    Map<Integer, Long> positions, long lag, long undecodable, boolean rebuilding) {
  public IndexStatus {
    positions = Map.copyOf(positions);
  }
}
