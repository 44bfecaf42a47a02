package io.mailflow.cli;

import io.mailflow.tracking.TrackingQueryException;
import io.mailflow.tracking.TrackingTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * ReplayTime - a TIME argument of `mailflow replay`: the forms of Get-MessageTrackingLog's Start and End
 * ({@link TrackingTime}: an ISO-8601 instant or offset date-time, a local date-time or date in the machine's zone,
 * {@code now}, or relative to now: {@code -2h}, {@code -30m}, {@code -1d}, {@code -90s}), so an admin writes a time
 * the same way for a replay and a search; a bad one is a {@link CliFailure} naming the option.
 */
final class ReplayTime {
  private ReplayTime() {}

  /** {@code text} as an instant; {@code option} names the argument in the error. */
  static Instant parse(String option, String text, Clock clock, ZoneId zone) {
    try {
      return TrackingTime.parse(option, text, clock, zone);
    } catch (TrackingQueryException e) {
      throw new CliFailure(e.getMessage(), e);
    }
  }
}
