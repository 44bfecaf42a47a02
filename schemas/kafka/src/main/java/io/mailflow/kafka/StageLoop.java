package io.mailflow.kafka;

import io.mailflow.schemas.codec.UndecodableRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StageLoop - the poll loop of one stage instance, on its own thread.
 *
 * <p>Records are handed to the {@link RecordProcessor} as they arrive and the loop keeps polling while
 * they are processed: a record that takes long (a remote server that never answers) does not hold up
 * the records behind it. Per partition, the records in flight form a window in offset order; the run of
 * finished records at its front is committed (at-least-once: nothing is committed before it is durable).
 * A partition whose window is full ({@link #MAX_IN_FLIGHT_RECORDS}, {@link #MAX_IN_FLIGHT_BYTES}) is
 * paused until half of it is done, so memory stays bounded.
 * Errors are sorted three ways, as Kafka's own examples do:
 * <ul>
 *   <li>poison — a record that cannot be decoded, or fails {@code poisonThreshold} times, is parked on
 *       {@code mail.poison.v1} with the reason and the loop goes on;
 *   <li>retriable — a failed record is tried again in place after {@code retryBackoff}, the records
 *       behind it going on meanwhile;
 *   <li>outage — a record that failed because Kafka was unavailable (broker down, topic or leader unknown,
 *       timeouts, not enough replicas: {@link KafkaOutage#isOutage}) is tried again with a backoff growing to
 *       {@link #OUTAGE_BACKOFF_CAP}, for as long as it takes, and never counts toward {@code poisonThreshold};
 *       the outage is logged when it starts and ends;
 *   <li>fatal — anything else from the consumer stops the loop; {@link #stopped()} fails with it.
 * </ul>
 *
 * <p>Optional {@link Hooks}: records may carry a due time ({@link Hooks#dueAt}). A record not yet due
 * is not handed to the processor; the loop seeks its partition back to it and pauses that partition
 * until then, so the records behind it wait in order while other partitions flow and nothing sleeps.
 * {@link #positions()} tells another thread where each assigned partition stands (to read ahead of the
 * loop), and {@link Hooks#onAssigned} when partitions arrive.
 *
 * <p>Commits are asynchronous, one at a time: the loop never waits on the group coordinator (a broker
 * outage would otherwise hold it for {@code default.api.timeout.ms}, 60 s). Per partition the offset to
 * commit only grows (the end of the finished run at the front of the window), a failed commit is sent again
 * next round with whatever finished since, and callbacks arrive in the order the commits were sent, so an
 * offset never goes backwards nor past a record not yet finished. Only when partitions leave (revocation,
 * close) does the loop wait for a commit, for at most {@link #HANDOVER_COMMIT_TIMEOUT}.
 *
 * <p>Static membership: with {@link Options#instanceId()} the consumer is a static group member
 * ({@code group.instance.id} = instance id, stage and topic), so a process restarted after kill -9 gets its
 * partitions back as soon as it rejoins, without waiting for the dead session to expire; see
 * {@link KafkaClientConfig#consumer} for the session timing that moves a dead member's partitions in seconds.
 */
public final class StageLoop<V extends SpecificRecord> implements StageStatus, AutoCloseable {
  /** Exchange's poison message threshold: a record that fails twice is parked. */
  public static final int DEFAULT_POISON_THRESHOLD = 2;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
  /** A record whose processing takes longer than this counts as failed (e.g. a peer that never answers). */
  public static final Duration DEFAULT_PROCESSING_TIMEOUT = Duration.ofMinutes(4);
  /**
   * How long {@link #close()} lets the current batch finish. A batch still waiting after that (a remote
   * server that stalls, a retry delay) is abandoned uncommitted: the next owner reads it again.
   */
  public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
  /** A partition with this many records in flight stops being fetched until half of them are done. */
  public static final int MAX_IN_FLIGHT_RECORDS = 2000;
  /** ... or with this many bytes of record values in flight (large inline bodies). */
  public static final long MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;
  /**
   * A record failed by a Kafka outage is tried again after retryBackoff, doubling per try up to this: once the
   * broker is back, work resumes within seconds, and an outage costs a few attempts a minute per record.
   */
  public static final Duration OUTAGE_BACKOFF_CAP = Duration.ofSeconds(5);
  /**
   * How long a revocation or close waits for the commit of what finished, before the partitions go to
   * their next owner (which then reads the uncommitted records again: at-least-once).
   */
  public static final Duration HANDOVER_COMMIT_TIMEOUT = Duration.ofSeconds(2);
  /** How long {@link #positions()} waits for a partition's position not known yet (just assigned). */
  static final Duration POSITION_TIMEOUT = Duration.ofSeconds(1);
  /**
   * The longest the consumer's close waits for the group coordinator (the leave, the last commit's answer). After an
   * unclean stop the coordinator may not answer for a while: the close then gives up and the session timeout moves
   * the partitions, as after a crash.
   */
  public static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(StageLoop.class);

  private final String stage;
  private final Topic<V> topic;
  private final RecordProcessor<V> processor;
  private final TopicPublisher poisonPublisher;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaClientMetrics consumerMeters;
  private final Options options;
  private final KafkaOutage outage;
  /** Per partition, the offset after the finished run at the front of its window: what to commit; loop thread. */
  private final Map<TopicPartition, Long> finished = new HashMap<>();
  /** Per partition, the offset the group has from this member (acknowledged commits); loop thread. */
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  /** An asynchronous commit is on its way (one at a time); loop thread. */
  private boolean committing;
  /** After a failed commit, the next is not sent before this (System.nanoTime()); loop thread. */
  private long nextCommitNanos;
  private final Map<TopicPartition, Deque<InFlight>> windows = new HashMap<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private final Hooks<V> hooks;
  /** Partitions paused because their next record is not due yet, with when it is; loop thread only. */
  private final Map<TopicPartition, Instant> heldUntil = new HashMap<>();
  /** Work handed to the loop thread by other threads (it owns the consumer). */
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** Set by the rebalance listener on the loop thread, read by {@link #membership()} from any thread. */
  private volatile boolean joined;
  private volatile int assignedPartitions;

  /**
   * Tunables of the loop; {@link #defaults()} are what production uses.
   *
   * @param meters where the loop's consumer metrics (lag per partition, {@link KafkaClientMeters}) are
   *     recorded, and where the stage built on these options records its own meters: the process's one
   *     registry (ops/cli {@code Node}); {@link #defaults()} gives a fresh private {@link SimpleMeterRegistry}
   */
  public record Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords,
      MeterRegistry meters, String instanceId, java.util.function.Consumer<TopicPublisher> publisherSetup,
      StopGroup stopGroup) {
    public Options {
      Objects.requireNonNull(meters, "meters");
      publisherSetup = publisherSetup == null ? p -> { } : publisherSetup;
    }

    public Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords,
        MeterRegistry meters, String instanceId, java.util.function.Consumer<TopicPublisher> publisherSetup) {
      this(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, instanceId, publisherSetup, null);
    }

    public Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords,
        MeterRegistry meters, String instanceId) {
      this(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, instanceId, null);
    }

    /** Options whose meters go to a private registry nothing reads (tests). */
    public Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords) {
      this(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, new SimpleMeterRegistry(), null);
    }

    public Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords,
        MeterRegistry meters) {
      this(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, null);
    }

    public static Options defaults() {
      return new Options(DEFAULT_POISON_THRESHOLD, DEFAULT_RETRY_BACKOFF, DEFAULT_PROCESSING_TIMEOUT, 500);
    }

    public Options withRetryBackoff(Duration backoff) {
      return new Options(poisonThreshold, backoff, processingTimeout, maxPollRecords, meters, instanceId,
          publisherSetup, stopGroup);
    }

    public Options withMaxPollRecords(int max) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, max, meters, instanceId, publisherSetup,
          stopGroup);
    }

    /** Tries per record before it is parked on mail.poison.v1 (the organization's transportService.poisonThreshold). */
    public Options withPoisonThreshold(int threshold) {
      if (threshold < 1) {
        throw new IllegalArgumentException("poisonThreshold must be at least 1, got " + threshold);
      }
      return new Options(threshold, retryBackoff, processingTimeout, maxPollRecords, meters, instanceId,
          publisherSetup, stopGroup);
    }

    /** Records the loop's and its stage's meters in {@code registry}. */
    public Options withMeters(MeterRegistry registry) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, registry, instanceId,
          publisherSetup, stopGroup);
    }

    /**
     * Makes the loops built on these options static members of their groups: {@code group.instance.id} is
     * {@code <id>-<stage>-<topic>}. The id must be this process's alone and the same after a restart (ops/cli
     * keeps it in the data dir); two live processes with one id fence each other. Null: dynamic membership.
     */
    public Options withInstanceId(String id) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, id, publisherSetup,
          stopGroup);
    }
  
    /**
     * What the node does to each publisher a stage built on these options writes through, applied by the stage right
     * after creating it (before its first record): ops/cli's Node sets up message tracking there
     * (messageTrackingLogEnabled, the MSGTRK and SEND files' taps). None by default.
     */
    public Options withPublisherSetup(java.util.function.Consumer<TopicPublisher> setup) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, instanceId, setup,
          stopGroup);
    }

    /**
     * Puts the loops built on these options in {@code group}: {@link StopGroup#stopAll()} then stops them all at
     * once (ops/cli's Node: one group per process), so a stop takes as long as the slowest loop, not their sum.
     */
    public Options withStopGroup(StopGroup group) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, maxPollRecords, meters, instanceId,
          publisherSetup, group);
    }
  }

  /**
   * StopGroup - the loops of one process, told to stop together. Each loop's own stop is bounded (the grace for
   * records in flight, a commit, the consumer's close with {@link #CONSUMER_CLOSE_TIMEOUT}); one after another,
   * seven loops whose consumers each waited out their close timeout (after an unclean stop the group coordinator
   * may not answer a leave at once) took 36 s. {@link #stopAll()} makes every loop leave its poll loop now, so
   * they drain, commit and close their consumers in parallel on their own threads; each {@link #close()} after it
   * only waits for its own loop, by then mostly done.
   */
  public static final class StopGroup {
    private final java.util.Set<StageLoop<?>> loops = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void add(StageLoop<?> loop) {
      loops.add(loop);
    }

    void remove(StageLoop<?> loop) {
      loops.remove(loop);
    }

    /** Tells every loop of the group to stop (does not wait). */
    public void stopAll() {
      for (StageLoop<?> loop : loops) {
        loop.running = false;
      }
    }
  }

  /**
   * What a loop may do beyond a plain stage; {@link #none()} is a plain stage.
   *
   * @param clientId the Kafka client id; null: {@code <groupId>-<stage>}
   * @param dueAt when a record may be processed; null, or a null or past answer: now
   * @param onAssigned called on the loop thread with partitions newly assigned to this member
   */
  public record Hooks<V>(String clientId, Function<? super V, Instant> dueAt,
      Consumer<Collection<TopicPartition>> onAssigned) {
    public static <V> Hooks<V> none() {
      return new Hooks<>(null, null, null);
    }

    public Hooks<V> withClientId(String id) {
      return new Hooks<>(id, dueAt, onAssigned);
    }

    /** Holds each partition at its first record not yet due, until it is (see the class comment). */
    public Hooks<V> withDueTime(Function<? super V, Instant> due) {
      return new Hooks<>(clientId, due, onAssigned);
    }

    public Hooks<V> withOnAssigned(Consumer<Collection<TopicPartition>> listener) {
      return new Hooks<>(clientId, dueAt, listener);
    }
  }

  private StageLoop(String stage, String bootstrapServers, String groupId, Topic<V> topic,
      RecordProcessor<V> processor, TopicPublisher poisonPublisher, Options options, Hooks<V> hooks) {
    this.stage = stage;
    this.hooks = hooks;
    this.topic = topic;
    this.processor = processor;
    this.poisonPublisher = poisonPublisher;
    this.options = options;
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, groupId,
        hooks.clientId() != null ? hooks.clientId() : groupId + "-" + stage);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxPollRecords());
    // A batch may wait up to processingTimeout for remote servers; stay in the group meanwhile.
    config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) options.processingTimeout().toMillis() + 60_000);
    if (hooks.dueAt() != null) {
      // Records that wait for a due time (the delay topics: minutes): nothing needs an empty fetch back sooner.
      config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, KafkaClientConfig.LONG_FETCH_MAX_WAIT_MS);
    }
    if (options.instanceId() != null) {
      // Unique per live member of the group: one process runs several loops of one group (delivery's
      // retry forwarders, one per delay topic), never two on the same topic.
      config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId(options.instanceId(), stage, topic));
    }
    this.consumer = new KafkaConsumer<>(config);
    this.outage = new KafkaOutage(stage, topic.name(), options.meters());
    this.consumerMeters = KafkaClientMeters.bind(consumer, stage, options.meters());
    this.thread = new Thread(this::run, "stage-" + stage + (hooks.clientId() != null ? "-" + topic.name() : ""));
  }

  /** The {@code group.instance.id} of the loop of {@code stage} on {@code topic} in the process {@code instanceId}. */
  static String groupInstanceId(String instanceId, String stage, Topic<?> topic) {
    return instanceId + "-" + stage + "-" + topic.name();
  }

  /**
   * Starts consuming {@code topic} as a member of consumer group {@code groupId}.
   *
   * @param poisonPublisher where parked records go (usually the stage's own publisher)
   */
  public static <V extends SpecificRecord> StageLoop<V> start(String stage, String bootstrapServers, String groupId,
      Topic<V> topic, RecordProcessor<V> processor, TopicPublisher poisonPublisher, Options options) {
    return start(stage, bootstrapServers, groupId, topic, processor, poisonPublisher, options, Hooks.none());
  }

  /** As {@link #start(String, String, String, Topic, RecordProcessor, TopicPublisher, Options)}, with {@code hooks}. */
  public static <V extends SpecificRecord> StageLoop<V> start(String stage, String bootstrapServers, String groupId,
      Topic<V> topic, RecordProcessor<V> processor, TopicPublisher poisonPublisher, Options options, Hooks<V> hooks) {
    StageLoop<V> loop = new StageLoop<>(stage, bootstrapServers, groupId, topic, processor, poisonPublisher, options,
        hooks);
    if (options.stopGroup() != null) {
      options.stopGroup().add(loop);
    }
    loop.thread.start();
    return loop;
  }

  /**
   * Where each partition assigned to this member stands: the offset of the next record the processor
   * has not been handed (for a held partition, the record not yet due). Answered by the loop thread;
   * fails if the loop has stopped.
   */
  public CompletableFuture<Map<TopicPartition, Long>> positions() {
    CompletableFuture<Map<TopicPartition, Long>> answer = new CompletableFuture<>();
    tasks.add(() -> {
      Map<TopicPartition, Long> at = new HashMap<>();
      try {
        for (TopicPartition p : consumer.assignment()) {
          // bounded: a partition just assigned asks the coordinator, which may be down
          at.put(p, consumer.position(p, POSITION_TIMEOUT));
        }
        answer.complete(Map.copyOf(at));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        answer.completeExceptionally(new KafkaUnavailableException("stage " + stage + ": the position of a newly "
            + "assigned partition of " + topic.name() + " is not known yet: " + e.getMessage(), e));
      } catch (WakeupException e) {
        answer.completeExceptionally(new IllegalStateException("stage " + stage + " has stopped"));
        throw e;
      }
    });
    if (stopped.isDone()) {
      answer.completeExceptionally(new IllegalStateException("stage " + stage + " has stopped"));
    }
    return answer;
  }

  /**
   * Where this member stands in its consumer group, for readiness checks from any thread.
   *
   * @param joined whether the group has given this member an assignment yet (possibly empty: more members
   *     than partitions); false before the first rebalance completes and after the loop stopped
   * @param partitions how many partitions this member owns now
   */
  public record Membership(boolean joined, int partitions) {}

  @Override
  public Membership membership() {
    return new Membership(joined && !stopped.isDone(), assignedPartitions);
  }

  @Override
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic.name()), new Rebalance());
      while (running) {
        ConsumerRecords<String, byte[]> records;
        try {
          runTasks();
          releaseDue();
          // While records are in flight, come back quickly to commit what finished and retry what failed.
          records = consumer.poll(pollTimeout());
        } catch (WakeupException e) {
          if (running) {
            throw e;
          }
          break; // close() woke the idle poll (or a task's wait) so that it is seen at once: drain below
        }
        for (TopicPartition partition : records.partitions()) {
          for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
            InFlight next = new InFlight(record);
            if (heldFor(partition, next)) {
              break; // the rest of this partition's batch is read again once it is due
            }
            next.start();
            windows.computeIfAbsent(partition, p -> new ArrayDeque<>()).addLast(next);
          }
        }
        settle();
        commitAsync();
        applyBackPressure();
      }
      drain();
      stopped.complete(null);
    } catch (WakeupException e) {
      stopped.complete(null);
    } catch (InterruptedException e) {
      // close() gave up waiting: end without committing what is still in flight (the flag is not
      // restored: this thread ends here, and the consumer must still close cleanly below)
      log.info("stage {}: stopped with records in flight; they will be read again", stage);
      stopped.complete(null);
    } catch (RuntimeException e) {
      log.error("stage {}: stopped consuming {}: {}", stage, topic.name(), e.toString());
      stopped.completeExceptionally(
          new IllegalStateException("stage " + stage + " stopped consuming " + topic.name() + ": " + e.getMessage(), e));
    } finally {
      tasks.clear();
      try {
        consumerMeters.close();
        outage.close();
        // A static member stays in its group on close unless told: leave, so a stopped stage's partitions go
        // to the others at once (a kill -9 leaves nothing: then the session timeout moves them).
        consumer.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT)
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      } catch (RuntimeException e) {
        log.warn("stage {}: closing consumer: {}", stage, e.toString());
      }
      if (options.stopGroup() != null) {
        options.stopGroup().remove(this);
      }
    }
  }

  /** One record being processed, in offset order within its partition's window. */
  private final class InFlight {
    final ConsumerRecord<String, byte[]> record;
    final long bytes;
    V value; // decoded once, when a due time was asked of it
    CompletableFuture<?> outcome;
    long startedNanos;
    long retryAtNanos; // non-zero while a failed record waits for its backoff
    int failures;
    int outageRetries; // tries failed by a Kafka outage in a row: they set the backoff, not the poison count
    boolean parking;

    InFlight(ConsumerRecord<String, byte[]> record) {
      this.record = record;
      this.bytes = record.value() == null ? 0 : record.value().length;
    }

    void start() {
      outcome = process(this);
      startedNanos = System.nanoTime();
      retryAtNanos = 0;
    }

    boolean succeeded() {
      return retryAtNanos == 0 && outcome.isDone() && !outcome.isCompletedExceptionally();
    }
  }

  /** The longest poll when nothing is in flight: how long a task (positions()) may wait to be seen (close() wakes it). */
  static final long IDLE_POLL_MILLIS = 1000;

  private Duration pollTimeout() {
    // Idle: a record that arrives ends the poll at once (the broker holds the fetch open for it), so the
    // timeout only bounds how soon a task or close() is seen; waking 5 times a second per loop was ~0.1% of
    // a core each for nothing.
    long millis = inFlight() > 0 ? 10 : IDLE_POLL_MILLIS;
    Instant now = Instant.now();
    for (Instant due : heldUntil.values()) {
      millis = Math.max(0, Math.min(millis, Duration.between(now, due).toMillis()));
    }
    return Duration.ofMillis(millis);
  }

  private void runTasks() {
    for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
      task.run();
    }
  }

  /**
   * True if {@code f}'s record is not due yet: its partition is sought back to it and paused until then.
   * An undecodable record is due (the processor's path parks it).
   */
  private boolean heldFor(TopicPartition partition, InFlight f) {
    if (hooks.dueAt() == null) {
      return false;
    }
    try {
      f.value = topic.codec().decode(f.record.value());
    } catch (UndecodableRecordException e) {
      return false;
    }
    Instant due = hooks.dueAt().apply(f.value);
    if (due == null || !due.isAfter(Instant.now())) {
      return false;
    }
    consumer.seek(partition, f.record.offset());
    consumer.pause(List.of(partition));
    heldUntil.put(partition, due);
    return true;
  }

  /** Resumes held partitions whose record has come due (unless back pressure holds them too). */
  private void releaseDue() {
    Instant now = Instant.now();
    List<TopicPartition> due = new ArrayList<>();
    heldUntil.entrySet().removeIf(e -> {
      if (now.isBefore(e.getValue())) {
        return false;
      }
      if (!paused.contains(e.getKey())) {
        due.add(e.getKey());
      }
      return true;
    });
    if (!due.isEmpty()) {
      consumer.resume(due);
    }
  }

  private int inFlight() {
    int n = 0;
    for (Deque<InFlight> window : windows.values()) {
      n += window.size();
    }
    return n;
  }

  /**
   * Times out records that take too long, retries failed ones after their backoff (in place: the records
   * after them go on), parks those that failed poisonThreshold times, and commits per partition the run
   * of finished records at the front of its window (sent by {@link #commitAsync()} or {@link #commitNow}).
   */
  private void settle() {
    long now = System.nanoTime();
    for (Map.Entry<TopicPartition, Deque<InFlight>> entry : windows.entrySet()) {
      for (InFlight f : entry.getValue()) {
        if (f.retryAtNanos != 0) {
          if (now >= f.retryAtNanos) {
            f.start();
          }
        } else if (!f.outcome.isDone()) {
          if (now - f.startedNanos > options.processingTimeout().toNanos()) {
            // Replace, not complete: the future belongs to the processor, which may still finish it.
            f.outcome = CompletableFuture.failedFuture(new TimeoutException(
                "processing did not finish within " + options.processingTimeout().toSeconds() + " s"));
            failed(f, now);
          }
        } else if (f.outcome.isCompletedExceptionally()) {
          failed(f, now);
        }
      }
      Deque<InFlight> window = entry.getValue();
      long next = -1;
      while (!window.isEmpty() && window.peekFirst().succeeded()) {
        InFlight done = window.removeFirst();
        next = done.record.offset() + 1;
        outage.over(done.startedNanos); // its output was taken
      }
      if (next >= 0) {
        finished.merge(entry.getKey(), next, Math::max);
      }
    }
  }

  /** A record's processing (or its parking) failed: retry it after the backoff, or park it for good. */
  private void failed(InFlight f, long now) {
    Throwable failure = failureOf(f.outcome);
    String reason = describe(failure);
    if (KafkaOutage.isOutage(failure)) {
      // Kafka's fault, not the record's: wait it out, never park (the parking itself waits too)
      outage.failed(reason);
      f.outageRetries++;
      if (f.parking) {
        f.parking = false;
        f.failures--; // parked again after the backoff
      }
      f.retryAtNanos = now + outageBackoff(f.outageRetries).toNanos();
      return;
    }
    f.outageRetries = 0;
    if (f.parking) {
      log.error("stage {}: cannot park record {}-{}@{} on {}: {}", stage, f.record.topic(), f.record.partition(),
          f.record.offset(), Topics.POISON.name(), reason);
      f.parking = false;
      f.failures--; // parked again after the backoff: not parked, it stays rather than be lost
      f.retryAtNanos = now + options.retryBackoff().toNanos();
      return;
    }
    f.failures++;
    if (f.failures < options.poisonThreshold()) {
      log.warn("stage {}: record {}-{}@{} failed (attempt {} of {}): {}", stage, f.record.topic(),
          f.record.partition(), f.record.offset(), f.failures, options.poisonThreshold(), reason);
      f.retryAtNanos = now + options.retryBackoff().toNanos();
      return;
    }
    log.error("stage {}: parking record {}-{}@{} after {} failed attempts: {}", stage, f.record.topic(),
        f.record.partition(), f.record.offset(), f.failures, reason);
    f.parking = true;
    f.outcome = park(f.record, "failed " + f.failures + " times: " + reason);
    f.startedNanos = now;
  }

  /** retryBackoff doubled per outage try in a row, up to {@link #OUTAGE_BACKOFF_CAP} (or retryBackoff if longer). */
  private Duration outageBackoff(int tries) {
    Duration backoff = options.retryBackoff();
    Duration cap = OUTAGE_BACKOFF_CAP.compareTo(backoff) > 0 ? OUTAGE_BACKOFF_CAP : backoff;
    for (int i = 1; i < tries && backoff.compareTo(cap) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(cap) > 0 ? cap : backoff;
  }

  /** Pauses a partition whose window is full, so memory stays bounded; resumes it once it drained. */
  private void applyBackPressure() {
    for (Map.Entry<TopicPartition, Deque<InFlight>> entry : windows.entrySet()) {
      long bytes = 0;
      for (InFlight f : entry.getValue()) {
        bytes += f.bytes;
      }
      int count = entry.getValue().size();
      TopicPartition partition = entry.getKey();
      boolean full = count >= MAX_IN_FLIGHT_RECORDS || bytes >= MAX_IN_FLIGHT_BYTES;
      if (full && paused.add(partition)) {
        consumer.pause(List.of(partition));
      } else if (!full && count < MAX_IN_FLIGHT_RECORDS / 2 && bytes < MAX_IN_FLIGHT_BYTES / 2
          && paused.remove(partition) && !heldUntil.containsKey(partition)) {
        consumer.resume(List.of(partition));
      }
    }
  }

  /** After close(): lets in-flight records finish and commit, for at most {@link #CLOSE_GRACE}. */
  private void drain() throws InterruptedException {
    long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
    while (inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      settle();
    }
    settle();
    commitNow(finished.keySet());
    if (inFlight() > 0) {
      log.info("stage {}: stopped with {} records in flight; they will be read again", stage, inFlight());
    }
  }

  /** Partitions moving to another member: commit what finished here, forget the rest (it is read again). */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      assignedPartitions = Math.max(0, assignedPartitions - partitions.size());
      settle();
      commitNow(partitions);
      partitions.forEach(p -> {
        windows.remove(p);
        paused.remove(p);
        heldUntil.remove(p);
        finished.remove(p);
        committed.remove(p);
      });
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      joined = true; // called after every completed rebalance, with an empty list when there is nothing to add
      assignedPartitions = consumer.assignment().size();
      // nothing is in flight for newly assigned partitions
      if (hooks.onAssigned() != null && !partitions.isEmpty()) {
        hooks.onAssigned().accept(partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      joined = false; // out of the group until the next assignment
      assignedPartitions = 0;
      partitions.forEach(p -> {
        windows.remove(p);
        paused.remove(p);
        heldUntil.remove(p);
        finished.remove(p); // another member owns them already: what it reads again is at-least-once
        committed.remove(p);
      });
    }
  }

  private CompletableFuture<?> process(InFlight f) {
    ConsumerRecord<String, byte[]> record = f.record;
    RecordOrigin origin = new RecordOrigin(record.topic(), record.partition(), record.offset(), record.timestamp());
    V value;
    try {
      value = f.value != null ? f.value : topic.codec().decode(record.value());
      f.value = null; // a retry decodes afresh: the processor may have changed this one
    } catch (UndecodableRecordException e) {
      log.warn("stage {}: parking undecodable record {}: {}", stage, origin, e.getMessage());
      return park(record, e.getMessage());
    }
    try {
      return processor.process(record.key(), value, origin).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<?> park(ConsumerRecord<String, byte[]> record, String reason) {
    return PoisonParking.park(poisonPublisher, stage, record, reason, Instant.now());
  }

  private static Throwable failureOf(CompletableFuture<?> outcome) {
    if (!outcome.isCompletedExceptionally()) {
      return null;
    }
    try {
      outcome.join();
      return null;
    } catch (RuntimeException e) {
      return e.getCause() != null ? e.getCause() : e;
    }
  }

  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root
        && (root instanceof java.util.concurrent.CompletionException || root instanceof ExecutionException)) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** What finished and is not committed yet, for {@code partitions}. */
  private Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
    for (TopicPartition p : partitions) {
      Long next = finished.get(p);
      if (next != null && next > committed.getOrDefault(p, -1L)) {
        due.put(p, new OffsetAndMetadata(next));
      }
    }
    return due;
  }

  /**
   * Sends what finished, unless a commit is on its way or failed a moment ago; never waits. The callback
   * runs on this thread in a later poll.
   */
  private void commitAsync() {
    if (committing || System.nanoTime() < nextCommitNanos) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> due = uncommitted(finished.keySet());
    if (due.isEmpty() && outage.waiting()) {
      // Nothing left to send, yet an outage is still on record (a late failure of something sent before Kafka
      // came back): only a later success can end it, and an idle stage sends nothing. Committing again what is
      // already committed is that success, or fails again, once per backoff. After a rebalance this member knows
      // no commit of its own: then, with nothing in flight or held, every record before a partition's position
      // is finished, and the position is what a commit would say anyway.
      committed.forEach((p, offset) -> due.put(p, new OffsetAndMetadata(offset)));
      if (due.isEmpty() && inFlight() == 0 && heldUntil.isEmpty()) {
        for (TopicPartition p : consumer.assignment()) {
          try {
            due.put(p, new OffsetAndMetadata(consumer.position(p, Duration.ZERO)));
          } catch (KafkaException | IllegalStateException notKnownYet) {
            // a partition whose position is not known yet: the next round asks again
          }
        }
      }
    }
    if (due.isEmpty()) {
      return;
    }
    committing = true;
    long sent = System.nanoTime();
    consumer.commitAsync(due, (offsets, error) -> {
      committing = false;
      if (error == null) {
        acknowledged(offsets);
        outage.over(sent);
      } else {
        commitFailed(error);
      }
    });
  }

  private void acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((p, o) -> {
      if (finished.containsKey(p)) { // else revoked meanwhile
        committed.merge(p, o.offset(), Math::max);
      }
    });
  }

  /** The offsets stay due: sent again after the backoff, with what finished since. */
  private void commitFailed(Exception error) {
    nextCommitNanos = System.nanoTime() + options.retryBackoff().toNanos();
    if (KafkaOutage.isOutage(error)) {
      outage.failed("offsets not committed: " + describe(error));
    } else {
      // e.g. the group rebalanced: the new owner reads these records again (at-least-once)
      log.warn("stage {}: offsets not committed, records may be processed again: {}", stage, describe(error));
    }
  }

  /**
   * Partitions are leaving (revocation, close): commits what finished of them, waiting at most
   * {@link #HANDOVER_COMMIT_TIMEOUT}; what is not committed then is read again by the next owner.
   */
  private void commitNow(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> due = uncommitted(partitions);
    if (due.isEmpty()) {
      return;
    }
    try {
      try {
        consumer.commitSync(due, HANDOVER_COMMIT_TIMEOUT);
      } catch (WakeupException e) {
        // close() woke the consumer (once) while this commit waited: the commit is still owed, and no second
        // wakeup comes
        consumer.commitSync(due, HANDOVER_COMMIT_TIMEOUT);
      }
      acknowledged(due);
    } catch (KafkaException e) {
      // the group moved on (CommitFailed, RebalanceInProgress, a fenced instance), Kafka is away, or close()
      // interrupted us: never a reason to stop the handover
      log.warn("stage {}: offsets not committed on handover, records will be processed again: {}", stage,
          describe(e));
    }
  }

  /**
   * Tells the loop to stop and returns at once; {@link #close()} then waits for it. A stage with several loops
   * asks them all first, so they drain and leave their groups side by side rather than one after another.
   */
  public void requestStop() {
    running = false;
    if (!stopped.isDone()) {
      try {
        consumer.wakeup();
      } catch (RuntimeException e) {
        // the loop closed its consumer meanwhile: nothing left to wake
      }
    }
  }

  /**
   * Stops polling, lets the records in flight finish and commit (for up to {@link #CLOSE_GRACE}), and
   * closes the consumer. The idle poll (up to {@link #IDLE_POLL_MILLIS}) is woken, so a stop does not wait it out
   * once per loop; a commit the wakeup interrupts instead is sent again (the consumer's close ignores wakeups).
   * Records still unfinished after the grace are left uncommitted: the group reads them again.
   */
  @Override
  public void close() {
    requestStop();
    try {
      thread.join(CLOSE_GRACE.toMillis() + 1_000); // the loop's own drain is bounded by the grace
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
