package io.mailflow.kafka;

import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StageLoop - the poll loop of one stage instance, on its own thread.
 *
 * <p>Each poll's records are handed to the {@link RecordProcessor} together; offsets are committed
 * only for the leading run of records, per partition, whose processing completed (at-least-once).
 * Errors are sorted three ways, as Kafka's own examples do:
 * <ul>
 *   <li>poison — a record that cannot be decoded, or fails {@code poisonThreshold} times, is parked on
 *       {@code mail.poison.v1} with the reason and the loop goes on;
 *   <li>retriable — a failed record is sought back to and tried again after {@code retryBackoff};
 *   <li>fatal — anything else from the consumer stops the loop; {@link #stopped()} fails with it.
 * </ul>
 */
public final class StageLoop<V extends SpecificRecord> implements AutoCloseable {
  /** Exchange's poison message threshold: a record that fails twice is parked. */
  public static final int DEFAULT_POISON_THRESHOLD = 2;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
  /** A batch whose processing takes longer than this counts as failed (e.g. a peer that never answers). */
  public static final Duration DEFAULT_PROCESSING_TIMEOUT = Duration.ofMinutes(4);
  /**
   * How long {@link #close()} lets the current batch finish. A batch still waiting after that (a remote
   * server that stalls, a retry delay) is abandoned uncommitted: the next owner reads it again.
   */
  public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(StageLoop.class);

  private final String stage;
  private final Topic<V> topic;
  private final RecordProcessor<V> processor;
  private final TopicPublisher poisonPublisher;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Options options;
  private final Map<RecordKey, Integer> failures = new HashMap<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Tunables of the loop; {@link #defaults()} are what production uses. */
  public record Options(int poisonThreshold, Duration retryBackoff, Duration processingTimeout, int maxPollRecords) {
    public static Options defaults() {
      return new Options(DEFAULT_POISON_THRESHOLD, DEFAULT_RETRY_BACKOFF, DEFAULT_PROCESSING_TIMEOUT, 500);
    }

    public Options withRetryBackoff(Duration backoff) {
      return new Options(poisonThreshold, backoff, processingTimeout, maxPollRecords);
    }

    public Options withMaxPollRecords(int max) {
      return new Options(poisonThreshold, retryBackoff, processingTimeout, max);
    }
  }

  private record RecordKey(TopicPartition partition, long offset) {}

  private StageLoop(String stage, String bootstrapServers, String groupId, Topic<V> topic,
      RecordProcessor<V> processor, TopicPublisher poisonPublisher, Options options) {
    this.stage = stage;
    this.topic = topic;
    this.processor = processor;
    this.poisonPublisher = poisonPublisher;
    this.options = options;
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, groupId, groupId + "-" + stage);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxPollRecords());
    // A batch may wait up to processingTimeout for remote servers; stay in the group meanwhile.
    config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) options.processingTimeout().toMillis() + 60_000);
    this.consumer = new KafkaConsumer<>(config);
    this.thread = new Thread(this::run, "stage-" + stage);
  }

  /**
   * Starts consuming {@code topic} as a member of consumer group {@code groupId}.
   *
   * @param poisonPublisher where parked records go (usually the stage's own publisher)
   */
  public static <V extends SpecificRecord> StageLoop<V> start(String stage, String bootstrapServers, String groupId,
      Topic<V> topic, RecordProcessor<V> processor, TopicPublisher poisonPublisher, Options options) {
    StageLoop<V> loop = new StageLoop<>(stage, bootstrapServers, groupId, topic, processor, poisonPublisher, options);
    loop.thread.start();
    return loop;
  }

  /** Completes when the loop has ended: normally after {@link #close()}, exceptionally on a fatal error. */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic.name()));
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          handle(records);
        }
      }
      stopped.complete(null);
    } catch (WakeupException e) {
      stopped.complete(null);
    } catch (InterruptedException e) {
      // close() gave up waiting for the batch: end without committing it (the flag is not restored:
      // this thread ends here, and the consumer must still close cleanly below)
      log.info("stage {}: stopped with a batch in flight; it will be read again", stage);
      stopped.complete(null);
    } catch (RuntimeException e) {
      log.error("stage {}: stopped consuming {}: {}", stage, topic.name(), e.toString());
      stopped.completeExceptionally(
          new IllegalStateException("stage " + stage + " stopped consuming " + topic.name() + ": " + e.getMessage(), e));
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("stage {}: closing consumer: {}", stage, e.toString());
      }
    }
  }

  private void handle(ConsumerRecords<String, byte[]> records) throws InterruptedException {
    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
    List<CompletableFuture<?>> outcomes = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> record : records) {
      batch.add(record);
      outcomes.add(process(record));
    }
    awaitAll(outcomes);

    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    Map<TopicPartition, Long> rewinds = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      ConsumerRecord<String, byte[]> record = batch.get(i);
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      if (rewinds.containsKey(partition)) {
        continue; // an earlier record of this partition failed: this one is read again after it
      }
      Throwable failure = failureOf(outcomes.get(i));
      if (failure != null && !parkIfExhausted(record, failure)) {
        rewinds.put(partition, record.offset());
        continue;
      }
      failures.remove(new RecordKey(partition, record.offset()));
      commits.put(partition, new OffsetAndMetadata(record.offset() + 1));
    }
    commit(commits);
    if (!rewinds.isEmpty()) {
      rewinds.forEach(consumer::seek);
      Thread.sleep(options.retryBackoff().toMillis());
    }
  }

  private CompletableFuture<?> process(ConsumerRecord<String, byte[]> record) {
    RecordOrigin origin = new RecordOrigin(record.topic(), record.partition(), record.offset(), record.timestamp());
    V value;
    try {
      value = topic.codec().decode(record.value());
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

  /** True when the record has now failed often enough to be parked (and was parked). */
  private boolean parkIfExhausted(ConsumerRecord<String, byte[]> record, Throwable failure) {
    RecordKey key = new RecordKey(new TopicPartition(record.topic(), record.partition()), record.offset());
    int attempts = failures.merge(key, 1, Integer::sum);
    String reason = describe(failure);
    if (attempts < options.poisonThreshold()) {
      log.warn("stage {}: record {}-{}@{} failed (attempt {} of {}): {}", stage, record.topic(),
          record.partition(), record.offset(), attempts, options.poisonThreshold(), reason);
      return false;
    }
    log.error("stage {}: parking record {}-{}@{} after {} failed attempts: {}", stage, record.topic(),
        record.partition(), record.offset(), attempts, reason);
    try {
      park(record, "failed " + attempts + " times: " + reason).get(30, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      log.error("stage {}: cannot park record on {}: {}", stage, Topics.POISON.name(), e.toString());
      return false; // not parked: keep it in the queue rather than lose it
    }
  }

  private CompletableFuture<?> park(ConsumerRecord<String, byte[]> record, String reason) {
    return PoisonParking.park(poisonPublisher, stage, record, reason, Instant.now());
  }

  private void awaitAll(List<CompletableFuture<?>> outcomes) throws InterruptedException {
    try {
      CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
          .get(options.processingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // individual failures are read one by one below
    } catch (TimeoutException e) {
      for (CompletableFuture<?> outcome : outcomes) {
        outcome.completeExceptionally(new TimeoutException(
            "processing did not finish within " + options.processingTimeout().toSeconds() + " s"));
      }
    }
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

  private void commit(Map<TopicPartition, OffsetAndMetadata> commits) {
    if (commits.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(commits);
    } catch (CommitFailedException | RetriableException e) {
      // The group rebalanced: the new owner reads these records again (at-least-once).
      log.warn("stage {}: offsets not committed, records will be processed again: {}", stage, e.getMessage());
    }
  }

  /**
   * Stops polling, lets the current batch finish and commit (for up to {@link #CLOSE_GRACE}), and closes
   * the consumer. No wakeup(): a poll returns within 200 ms, and a wakeup would abort the last commit,
   * replaying that batch. A batch still unfinished after the grace is interrupted and left uncommitted.
   */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(CLOSE_GRACE.toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
