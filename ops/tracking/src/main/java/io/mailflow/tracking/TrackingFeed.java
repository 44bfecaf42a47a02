package io.mailflow.tracking;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.UndecodableRecordException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TrackingFeed - the index's Kafka consumer, on its own thread: assigns itself every partition of
 * mail.tracking.v1 (no consumer group), seeks to the positions the last Lucene commit stored (the beginning for a
 * new index), and adds every record to the {@link TrackingStore}. Commits the index with the positions every
 * commitInterval or commitEvents; refreshes searches every refreshInterval; applies retention every minute.
 *
 * <p>Errors sorted as the poll loops of the stages sort them: a record that does not decode is poison (counted,
 * one WARN per kind, skipped); Kafka unreachable is retriable (the consumer retries by itself); an index that
 * cannot be written is fatal for the feed (logged once, searches keep answering from what is there).
 */
final class TrackingFeed implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackingFeed.class);
  /**
   * The longest poll of a feed with nothing to commit or refresh: events end a poll (the broker holds the fetch open
   * for them, at most {@link #FETCH_MAX_WAIT}) and stop() wakes it, so an idle feed
   * wakes only for what is due: its housekeeping, or a commit and a refresh of events it took (see {@link
   * #pollTimeout}). Waking every 500 ms to find nothing due cost an idle process more than the index did.
   */
  static final Duration IDLE_POLL = Duration.ofMinutes(1);
  /** fetch.min.bytes of the feed's consumer: about a hundred JSON events. */
  static final int FETCH_MIN_BYTES = 64 * 1024;
  /**
   * fetch.max.wait.ms of the feed's consumer: how long a lone event may wait for company, and how often an idle
   * feed's empty fetch comes back. One second: a busy feed fills FETCH_MIN_BYTES long before (issue 13's batching,
   * 200 ms when measured), and an idle process answers one empty fetch a second rather than five (its idle cost),
   * while a lone event is still searchable within about two seconds (this wait, then the refresh).
   */
  static final Duration FETCH_MAX_WAIT = Duration.ofSeconds(1);
  /** How often retention runs and new partitions are looked for. */
  static final Duration HOUSEKEEPING = Duration.ofMinutes(1);

  private final TrackingStore store;
  private final KafkaConsumer<String, byte[]> consumer;
  private final TrackingIndex.Options options;
  private final Clock clock;
  private final Duration housekeeping;
  /** Next offset to read per partition: what the next commit stores. Written by the feed thread only. */
  private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
  private final Map<Integer, Long> lags = new ConcurrentHashMap<>();
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicReference<Instant> lastIndexed = new AtomicReference<>();
  private final AtomicReference<Instant> newestEvent = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean rebuilding;
  private boolean warnedUnreachable;
  /** Whether the current poll's records added an event. Feed thread only. */
  private boolean indexedInPoll;
  private volatile String failure;
  private final Map<String, Boolean> warnedPoison = new ConcurrentHashMap<>();

  TrackingFeed(TrackingStore store, String bootstrapServers, String clientId, TrackingIndex.Options options,
      Duration housekeeping) {
    this.store = store;
    this.housekeeping = housekeeping;
    this.options = options;
    this.clock = options.clock();
    this.positions.putAll(store.committedPositions());
    this.rebuilding = store.committedPositions().isEmpty();
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", clientId);
    // No group: every process that serves the admin API keeps its own index, with its positions in the index.
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // Only committed (not aborted) tracking events: stages may write them in a transaction.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A partition with no stored position starts from its oldest event: a new index is built from the whole topic.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Tracking events are small (~300 B): larger polls mean fewer round trips while catching up.
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    // Under load, events in batches of FETCH_MIN_BYTES rather than one fetch answered per append: fewer fetch
    // requests for the broker to answer (every event of every message woke the feed up) and fewer, larger turns of
    // this loop; an event of a quiet moment waits FETCH_MAX_WAIT at most, well inside refreshInterval.
    config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) FETCH_MAX_WAIT.toMillis());
    // The index reads the topic, never creates it: TopicProvisioner does, with its partitions and retention.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.consumer = new KafkaConsumer<>(config);
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (IOException | RuntimeException e) {
      failure = e.toString();
      LOG.error("message-tracking index {}: the feed from {} stopped ({}); searches answer from what is indexed,"
          + " restart the process to resume", store.directory(), Topics.TRACKING.name(), e.toString(), e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.debug("closing the tracking consumer: {}", e.toString());
      }
      stopped.countDown();
    }
  }

  private void loop() throws IOException {
    List<TopicPartition> assigned = List.of();
    long lastCommit = System.nanoTime();
    long lastRefresh = System.nanoTime();
    long lastHousekeeping = 0;
    long pending = 0;
    boolean unrefreshed = false;
    while (running) {
      if (assigned.isEmpty() || System.nanoTime() - lastHousekeeping > housekeeping.toNanos()) {
        assigned = assign(assigned);
        store.deleteOlderThan(clock.instant().minus(options.messageTrackingLogMaxAge()));
        store.maybeRefresh();
        lastHousekeeping = System.nanoTime();
        lastRefresh = lastHousekeeping;
        unrefreshed = false;
        if (assigned.isEmpty()) {
          sleep(Duration.ofSeconds(1)); // the topic does not exist yet
          continue;
        }
      }
      ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout(System.nanoTime(),
          pending > 0 ? lastCommit + options.commitInterval().toNanos() : null,
          unrefreshed ? lastRefresh + options.refreshInterval().toNanos() : null,
          lastHousekeeping + housekeeping.toNanos()));
      Instant cutoff = clock.instant().minus(options.messageTrackingLogMaxAge());
      indexedInPoll = false;
      for (ConsumerRecord<String, byte[]> r : records) {
        take(r, cutoff);
        positions.put(r.partition(), r.offset() + 1);
        pending++;
        unrefreshed = true;
      }
      if (indexedInPoll) {
        lastIndexed.set(clock.instant());
      }
      for (TopicPartition tp : assigned) {
        OptionalLong lag = consumer.currentLag(tp);
        if (lag.isPresent()) {
          lags.put(tp.partition(), lag.getAsLong());
        }
        if (!positions.containsKey(tp.partition())) {
          positions.put(tp.partition(), consumer.position(tp, Duration.ofSeconds(5)));
        }
      }
      if (rebuilding && !lags.isEmpty() && lags.size() == assigned.size()
          && lags.values().stream().allMatch(l -> l == 0)) {
        rebuilding = false;
      }
      long now = System.nanoTime();
      boolean commitDue = pending > 0 && (pending >= options.commitEvents()
          || now - lastCommit >= options.commitInterval().toNanos());
      boolean refreshDue = unrefreshed && now - lastRefresh >= options.refreshInterval().toNanos();
      if (commitDue) {
        // one flush of the added documents serves both: committed first, then the searchers reopen on the segments
        // the commit wrote (flushing for the refresh and again for the commit made two small segments a second
        // to write and merge)
        store.commit(positions);
        pending = 0;
        lastCommit = now;
        store.maybeRefresh();
        lastRefresh = now;
        unrefreshed = false;
      } else if (refreshDue) {
        store.maybeRefresh();
        lastRefresh = now;
        unrefreshed = false;
      }
    }
    store.commit(positions);
  }

  /**
   * How long the next poll may wait (all times {@link System#nanoTime}): until the earliest of what is due, the
   * commit of events taken ({@code commitDue}, null when none wait), the refresh that makes them searchable
   * ({@code refreshDue}, null when none wait) and the housekeeping; never longer than {@link #IDLE_POLL}, never
   * negative. An idle feed (nothing taken) thus sleeps until its housekeeping or the next event.
   */
  static Duration pollTimeout(long now, Long commitDue, Long refreshDue, long housekeepingDue) {
    long due = housekeepingDue;
    if (commitDue != null) {
      due = Math.min(due, commitDue);
    }
    if (refreshDue != null) {
      due = Math.min(due, refreshDue);
    }
    return Duration.ofNanos(Math.max(0, Math.min(due - now, IDLE_POLL.toNanos())));
  }

  /** Assigns every partition of the topic (again when partitions were added), seeking new ones to their position. */
  private List<TopicPartition> assign(List<TopicPartition> current) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(Topics.TRACKING.name(), Duration.ofSeconds(10));
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      if (!warnedUnreachable) {
        warnedUnreachable = true; // said once; the consumer keeps trying
        LOG.warn("message-tracking index: cannot list the partitions of {} yet ({}); retrying",
            Topics.TRACKING.name(), e.getMessage());
      }
      return current;
    }
    if (infos == null || infos.size() == current.size()) {
      return current;
    }
    List<TopicPartition> all = new ArrayList<>();
    infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
    LOG.info("message-tracking index {}: reading {} partitions of {} from {}", store.directory(), all.size(),
        Topics.TRACKING.name(), positions.isEmpty() ? "the beginning (building the index)" : "offsets " + positions);
    consumer.assign(all);
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : all) {
      Long at = positions.get(tp.partition());
      if (at == null) {
        fromStart.add(tp);
      } else {
        consumer.seek(tp, at);
      }
    }
    if (!fromStart.isEmpty()) {
      consumer.seekToBeginning(fromStart);
    }
    return all;
  }

  private void take(ConsumerRecord<String, byte[]> r, Instant cutoff) throws IOException {
    TrackingEvent event;
    try {
      event = Topics.TRACKING.codec().decode(r.value());
    } catch (UndecodableRecordException e) {
      undecodable.incrementAndGet();
      String kind = e.getMessage() == null ? "?" : e.getMessage().replaceAll("\\(.*", "");
      if (warnedPoison.putIfAbsent(kind, Boolean.TRUE) == null) {
        LOG.warn("message-tracking index: skipped an undecodable record at {}-{}@{} ({}); further ones like it are"
            + " counted, not logged", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
      return;
    }
    if (event.getDateTime().isBefore(cutoff)) {
      return; // older than messageTrackingLogMaxAge: retention would delete it at once
    }
    store.add(event, r.value(), TrackingFields.position(r.partition(), r.offset()));
    indexedInPoll = true;
    Instant newest = newestEvent.get();
    if (newest == null || event.getDateTime().isAfter(newest)) {
      newestEvent.set(event.getDateTime());
    }
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  Map<Integer, Long> positions() {
    return new HashMap<>(positions);
  }

  long lag() {
    return lags.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Whether every partition is read up to {@code ends}. */
  boolean reached(Map<Integer, Long> ends) {
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      if (positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  long undecodable() {
    return undecodable.get();
  }

  Instant lastIndexed() {
    return lastIndexed.get();
  }

  Instant newestEvent() {
    return newestEvent.get();
  }

  boolean rebuilding() {
    return rebuilding;
  }

  String failure() {
    return failure;
  }

  /** Stops the loop (it commits what it took) and waits for it. */
  void stop(Duration timeout) {
    running = false;
    consumer.wakeup();
    try {
      stopped.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
