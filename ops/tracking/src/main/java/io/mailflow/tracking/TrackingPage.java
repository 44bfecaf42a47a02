package io.mailflow.tracking;

import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;

/**
 * TrackingPage - one page of Get-MessageTrackingLog's answer.
 *
 * @param events the matching events, oldest first (date-time ascending; events with the same date-time in the
 *     order they were written to mail.tracking.v1: partition, then offset)
 * @param next the cursor of the following page (pass it as {@code Cursor} / {@link TrackingQuery#withCursor}), or
 *     null when this page holds the last match
 * @param totalHits how many events match the query in all, over every page
 */
public record TrackingPage(List<TrackingEvent> events, String next, long totalHits) {
  public TrackingPage {
    events = List.copyOf(events);
  }
}
