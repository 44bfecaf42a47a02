package io.mailflow.tracking;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);

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

  private static final Logger LOG = LoggerFactory.getLogger(TrackingIndex.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final TrackingStore store;
  private final TrackingFeed feed;
  private final Thread feedThread;
  private final String bootstrapServers;
  private final Options options;

  private TrackingIndex(TrackingStore store, TrackingFeed feed, String bootstrapServers, Options options) {
    this.store = store;
    this.feed = feed;
    this.bootstrapServers = bootstrapServers;
    this.options = options;
    if (feed != null) {
      feedThread = new Thread(feed, "tracking-index-feed-" + INSTANCES.incrementAndGet());
      feedThread.setDaemon(true);
      feedThread.start();
    } else {
      feedThread = null;
    }
  }

  /**
   * Opens the index in {@code directory} (the node gives {@code <data-dir>/tracking-index}) and starts reading
   * mail.tracking.v1 from {@code bootstrapServers} where it left off; builds it from the topic's beginning when the
   * directory is missing, empty or corrupt (a corrupt one is moved aside to
   * {@code <directory>.corrupt-<yyyyMMddTHHmmssZ>} with one WARN). Returns at once: searches answer from what is
   * indexed so far ({@link #status()} says how far).
   */
  public static TrackingIndex open(Path directory, String bootstrapServers, Options options) {
    return open(directory, bootstrapServers, options, TrackingFeed.HOUSEKEEPING);
  }

  /** As {@link #open(Path, String, Options)}, retention every {@code housekeeping} (tests). */
  static TrackingIndex open(Path directory, String bootstrapServers, Options options, Duration housekeeping) {
    TrackingStore store = TrackingStore.open(directory, options.subjectLoggingEnabled(), options.clock().instant());
    try {
      TrackingFeed feed = new TrackingFeed(store, bootstrapServers,
          "mailflow-tracking-index-" + INSTANCES.get(), options, housekeeping);
      return new TrackingIndex(store, feed, bootstrapServers, options);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * The index a running node keeps in {@code directory}, opened read-only (no write lock: the node goes on writing;
   * never rebuilt or moved aside): searches see what the node had committed at open. For {@code mailflow tracking}
   * on the node's machine.
   *
   * @throws UncheckedIOException when {@code directory} holds no readable index
   */
  public static TrackingIndex openReadOnly(Path directory, Options options) {
    try {
      return new TrackingIndex(TrackingStore.openReadOnly(directory, options.subjectLoggingEnabled()), null, null,
          options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An index with no feed, for events added by {@link #add} (tests, the benchmark). */
  static TrackingIndex local(Path directory, Options options) {
    return new TrackingIndex(TrackingStore.open(directory, options.subjectLoggingEnabled(), options.clock().instant()),
        null, null, options);
  }

  TrackingStore store() {
    return store;
  }

  /**
   * Waits until the index has read every partition up to its end as of this call, and searches see it; false on
   * timeout (or when this index has no feed).
   */
  public boolean awaitCaughtUp(Duration timeout) {
    if (feed == null) {
      return false;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Integer, Long> ends = endOffsets(timeout);
    if (ends == null) {
      return false;
    }
    while (System.nanoTime() < deadline) {
      if (feed.reached(ends)) {
        try {
          store.refresh();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return true;
      }
      if (feed.failure() != null) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private Map<Integer, Long> endOffsets(Duration timeout) {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", "mailflow-tracking-ends");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = c.partitionsFor(Topics.TRACKING.name(), timeout);
      if (infos == null || infos.isEmpty()) {
        return null;
      }
      List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      Map<Integer, Long> ends = new HashMap<>();
      c.endOffsets(tps, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
      return ends;
    } catch (RuntimeException e) {
      LOG.debug("end offsets of {}: {}", Topics.TRACKING.name(), e.toString());
      return null;
    }
  }

  @Override
  public TrackingPage search(TrackingQuery query) {
    return store.search(query);
  }

  @Override
  public DeliveryReport report(String messageIdOrNetworkMessageId) {
    if (messageIdOrNetworkMessageId == null || messageIdOrNetworkMessageId.isBlank()) {
      throw new NoSuchMessageException(String.valueOf(messageIdOrNetworkMessageId));
    }
    List<TrackingEvent> events = store.messageEvents(messageIdOrNetworkMessageId);
    if (events.isEmpty()) {
      throw new NoSuchMessageException(messageIdOrNetworkMessageId);
    }
    return DeliveryReport.of(events);
  }

  @Override
  public IndexStatus status() {
    if (feed == null) {
      return new IndexStatus(store.eventCount(), null, null, store.committedPositions(), 0, 0, false);
    }
    return new IndexStatus(store.eventCount(), feed.lastIndexed(), feed.newestEvent(), feed.positions(), feed.lag(),
        feed.undecodable(), feed.rebuilding());
  }

  /** Whether this index was created empty at open: missing, or moved aside as corrupt. */
  boolean rebuiltAtOpen() {
    return store.rebuilt();
  }

  /** Stops the consumer, commits what was taken with its positions, closes the index. */
  @Override
  public void close() {
    if (feed != null) {
      feed.stop(Duration.ofSeconds(10));
      store.close(feed.positions());
    } else {
      store.close(store.committedPositions());
    }
  }
}
