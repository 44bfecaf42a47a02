package io.mailflow.tracking;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * TrackingIndex - the message-tracking index: a Lucene index in a directory, fed from mail.tracking.v1 by a Kafka
 * consumer on its own thread, answering Get-MessageTrackingLog searches and delivery reports.
 *
 * <p>The consumer assigns itself every partition (no consumer group: each process serving the admin API keeps its
 * own index) and stores the positions it read in the Lucene commit, so a restart resumes where the last commit
 * left off. A missing index is built from the topic's beginning; a corrupt one is moved aside and rebuilt. Events
 * older than messageTrackingLogMaxAge are deleted periodically.
 */
public final class TrackingIndex implements TrackingSearch, AutoCloseable {

  /**
   * How the index behaves.
   *
   * @param messageTrackingLogMaxAge events older than this are deleted from the index (Exchange's
   *     MessageTrackingLogMaxAge, default {@link #DEFAULT_MAX_AGE}, 30 days)
   * @param subjectLoggingEnabled whether subjects are indexed and returned (Exchange's
   *     MessageTrackingLogSubjectLoggingEnabled, default true); when false, subjects are dropped from stored events
   *     and MessageSubject never matches
   * @param commitInterval how often the index commits what it took (default 1 s): a crash re-reads at most this much
   * @param commitEvents commit earlier when this many events were taken since the last commit (default 50,000)
   * @param refreshInterval how soon a search sees a newly taken event (default 250 ms)
   * @param clock the clock for retention and relative times
   */
  public record Options(Duration messageTrackingLogMaxAge, boolean subjectLoggingEnabled, Duration commitInterval,
      int commitEvents, Duration refreshInterval, Clock clock) {
    /** Exchange's default MessageTrackingLogMaxAge. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_COMMIT_EVENTS = 50_000;
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(250);

    public Options {
      Objects.requireNonNull(messageTrackingLogMaxAge, "messageTrackingLogMaxAge");
      if (messageTrackingLogMaxAge.isNegative() || messageTrackingLogMaxAge.isZero()) {
        throw new IllegalArgumentException("messageTrackingLogMaxAge must be positive, got "
            + messageTrackingLogMaxAge);
      }
      if (commitEvents < 1) {
        throw new IllegalArgumentException("commitEvents must be positive, got " + commitEvents);
      }
      Objects.requireNonNull(commitInterval, "commitInterval");
      Objects.requireNonNull(refreshInterval, "refreshInterval");
      Objects.requireNonNull(clock, "clock");
    }

    /** Exchange's defaults: 30 days, subjects logged. */
    public static Options defaults() {
      return new Options(DEFAULT_MAX_AGE, true, DEFAULT_COMMIT_INTERVAL, DEFAULT_COMMIT_EVENTS,
          DEFAULT_REFRESH_INTERVAL, Clock.systemUTC());
    }

    /** The options with messageTrackingLogMaxAge and subject logging as the transport service's settings say. */
    public static Options of(Duration messageTrackingLogMaxAge, boolean subjectLoggingEnabled) {
      return new Options(messageTrackingLogMaxAge, subjectLoggingEnabled, DEFAULT_COMMIT_INTERVAL,
          DEFAULT_COMMIT_EVENTS, DEFAULT_REFRESH_INTERVAL, Clock.systemUTC());
    }

    public Options withClock(Clock c) {
      return new Options(messageTrackingLogMaxAge, subjectLoggingEnabled, commitInterval, commitEvents,
          refreshInterval, c);
    }
  }

  private TrackingIndex() {}

  /**
   * Opens the index in {@code directory} (the node gives {@code <data-dir>/tracking-index}) and starts reading
   * mail.tracking.v1 from {@code bootstrapServers} where it left off; builds it from the topic's beginning when the
   * directory is missing, empty or corrupt (a corrupt one is moved aside to {@code tracking-index.corrupt-<time>}).
   * Returns at once: searches answer from what is indexed so far ({@link #status()} says how far).
   */
  public static TrackingIndex open(Path directory, String bootstrapServers, Options options) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Waits until the index has read every partition up to its end as of this call; false on timeout. */
  public boolean awaitCaughtUp(Duration timeout) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public TrackingPage search(TrackingQuery query) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public DeliveryReport report(String messageIdOrNetworkMessageId) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public IndexStatus status() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Stops the consumer, commits what was taken, closes the index. */
  @Override
  public void close() {
  }
}
