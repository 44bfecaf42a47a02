package io.mailflow.edge.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.mailflow.kafka.DurableLog;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubmissionWriter - writes accepted messages to mail.submission.v1 in Kafka transactions, many messages per
 * transaction (group commit), on its own thread; a message counts as queued (250) only once its transaction
 * committed.
 *
 * <p>Why transactions: a plain producer's batch that timed out on the client (or sits in a stalled broker's
 * socket) may still be appended later, so a client told 452 could have its message delivered anyway and send a
 * duplicate. Here a message is in exactly one of three states: queued (its transaction not yet committing: its
 * client's timer may {@link Submission#withdraw withdraw} it, and then no transaction holding it is ever
 * committed, so read_committed readers never see it), committing (the writer started the commit: the client
 * waits for the outcome, never told 4xx for something that may commit), or done. Since Kafka 3.6 (KIP-890) a
 * late produce request of an aborted transaction is refused by the partition leader, so aborted really means
 * never visible.
 *
 * <p>One loop: take what is queued (up to {@link #MAX_BATCH}), drop what was withdrawn or is past its deadline,
 * begin a transaction, send, wait for the acks (no longer than the earliest deadline and {@link #ACK_WAIT_MS}),
 * mark every message committing (if one was withdrawn meanwhile the transaction is aborted and the others go
 * again), commit. While a commit runs the next messages queue up, so under load one commit covers many.
 * A failure never strands a message: the producer is dropped and made anew (its initTransactions fences the
 * old one and ends whatever transaction it left open), and a commit whose outcome is unknown is looked up in the
 * topic ({@link CommitOutcome}).
 */
final class SubmissionWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SubmissionWriter.class);
  /** Most messages in one transaction: bounds the work a withdrawn message makes the others redo. */
  static final int MAX_BATCH = 500;
  /**
   * How long the writer waits for a transaction's acks before it aborts it and tries again: below
   * transaction.timeout.ms (10 s), so the coordinator does not have to time our transactions out.
   */
  static final long ACK_WAIT_MS = 8_000;
  /** Pause before making a new producer after one failed: Kafka is down or refusing, not worth hammering. */
  static final long RETRY_BACKOFF_MS = 1_000;

  private final Producers producers;
  private final CommitOutcome outcomes;
  private final String topic;
  private final String transactionalId;
  /** Whose flush a committed message waits for before its 250 (the embedded broker's), if anyone's. */
  private final DurableLog durable;
  private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  /** Messages of an aborted transaction that still have time: first in the next one. Writer thread only. */
  private final Deque<Submission> carried = new ArrayDeque<>();
  /** Writer thread only; null until first needed and after a failure. */
  private Producer<String, byte[]> producer;
  private volatile boolean closed;

  /** Where the writer's producers come from: a new one after each failure. */
  interface Producers {
    Producer<String, byte[]> open();

    /** Called just before {@code producer} is closed (to unbind its meters). */
    default void closing(Producer<String, byte[]> producer) {}
  }

  SubmissionWriter(Producers producers, CommitOutcome outcomes, String topic,
      String transactionalId) {
    this(producers, outcomes, topic, transactionalId, DurableLog.replicated());
  }

  /** As above; a committed message counts as queued only once {@code durable} has it on disk. */
  SubmissionWriter(Producers producers, CommitOutcome outcomes, String topic,
      String transactionalId, DurableLog durable) {
    this.durable = durable;
    this.producers = producers;
    this.outcomes = outcomes;
    this.topic = topic;
    this.transactionalId = transactionalId;
    this.thread = new Thread(this::run, "kafka-submission-" + transactionalId);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  String transactionalId() {
    return transactionalId;
  }

  /** Queues one record; never blocks. The result completes once committed, or fails (see {@link Submission}). */
  Submission submit(String key, byte[] value, Duration timeout) {
    return submit(key, value, timeout, List.of());
  }

  /**
   * As above; {@code alsoDurable} (the mail.bodies.v1 partition of a claim-checked body, written and acknowledged
   * before) is flushed with the message's own partition before it counts as queued.
   */
  Submission submit(String key, byte[] value, Duration timeout, List<TopicPartition> alsoDurable) {
    Submission s = new Submission(key, value, System.nanoTime() + timeout.toNanos(), transactionalId, alsoDurable);
    if (closed) {
      s.completeExceptionally(new BackPressureException("the Submission queue writer is closed", null));
      return s;
    }
    queue.add(s);
    return s;
  }

  /**
   * One message on its way into a transaction. Completes normally once committed; with
   * {@link BackPressureException} when withdrawn or out of time before its commit started (never written); with
   * another exception when it cannot be written (never written either).
   */
  static final class Submission extends CompletableFuture<Void> {
    private static final int QUEUED = 0;
    private static final int WITHDRAWN = 1;
    private static final int COMMITTING = 2;
    private final String key;
    private final byte[] value;
    private final long deadline;
    private final String transactionalId;
    /** Partitions written before this message that its flush must cover (its body's chunks). */
    private final List<TopicPartition> alsoDurable;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    /** Writer thread only: the send of the current attempt and, once acked, where it went. */
    private Future<RecordMetadata> ack;
    private RecordMetadata written;

    private Submission(String key, byte[] value, long deadline, String transactionalId,
        List<TopicPartition> alsoDurable) {
      this.alsoDurable = alsoDurable;
      this.key = key;
      this.value = value;
      this.deadline = deadline;
      this.transactionalId = transactionalId;
    }

    /**
     * Takes the message back unless its commit started; never blocks. True: it will never be written (the
     * client may be told 4xx). False: its transaction is committing; wait for this future.
     */
    boolean withdraw() {
      if (state.compareAndSet(QUEUED, WITHDRAWN)) {
        completeExceptionally(new BackPressureException("withdrawn before its transaction (transactional id "
            + transactionalId + ") committed", null));
        return true;
      }
      return state.get() == WITHDRAWN;
    }

    private boolean expired(long now) {
      return deadline - now <= 0;
    }
  }

  private void run() {
    try {
      try {
        producer(); // at once, not at the first message: a restarted edge ends its predecessor's open transaction
      } catch (RuntimeException e) {
        LOG.warn("Submission queue writer (transactional id {}) cannot start its producer yet: {}", transactionalId,
            e.toString());
      }
      while (!closed) {
        List<Submission> batch = nextBatch();
        if (!batch.isEmpty()) {
          write(batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("Submission queue writer (transactional id {}) stopped: {}", transactionalId, e.toString(), e);
    } finally {
      closed = true;
      List<Submission> left = new ArrayList<>(carried);
      queue.drainTo(left);
      for (Submission s : left) {
        s.withdraw(); // never sent in a transaction that may commit: their clients may be told 4xx
      }
      dropProducer(Duration.ofSeconds(5));
    }
  }

  /** What to write next: carried messages first; withdrawn and expired ones left out. Waits 100 ms at most. */
  private List<Submission> nextBatch() throws InterruptedException {
    List<Submission> batch = new ArrayList<>(carried);
    carried.clear();
    if (batch.isEmpty()) {
      Submission first = queue.poll(100, TimeUnit.MILLISECONDS);
      if (first == null) {
        return batch;
      }
      batch.add(first);
    }
    queue.drainTo(batch, MAX_BATCH - batch.size());
    long now = System.nanoTime();
    batch.removeIf(s -> (s.expired(now) && s.withdraw()) || s.isDone());
    return batch;
  }

  private void write(List<Submission> batch) throws InterruptedException {
    Producer<String, byte[]> p;
    try {
      p = producer();
    } catch (RuntimeException e) {
      failed("cannot start a transaction", e, batch);
      return;
    }
    try {
      p.beginTransaction();
      for (Submission s : batch) {
        s.written = null;
        s.ack = p.send(new ProducerRecord<>(topic, s.key, s.value));
      }
      long earliest = batch.stream().mapToLong(s -> s.deadline).min().orElseThrow();
      long waitUntil = Math.min(earliest, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACK_WAIT_MS));
      for (Submission s : batch) {
        try {
          s.written = s.ack.get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // Kafka too slow for the earliest deadline (or stopped): abort, the others go again
          abort(p, batch, null);
          return;
        } catch (ExecutionException e) {
          abort(p, batch, e.getCause());
          return;
        }
      }
    } catch (RuntimeException e) {
      failed("transaction failed", e, batch);
      return;
    }
    // the point of no return: once one message is committing, none of the batch may be told 4xx before the outcome
    boolean allIn = true;
    for (Submission s : batch) {
      allIn &= s.state.compareAndSet(Submission.QUEUED, Submission.COMMITTING);
    }
    if (!allIn) {
      for (Submission s : batch) {
        s.state.compareAndSet(Submission.COMMITTING, Submission.QUEUED);
      }
      abort(p, batch, null); // a client's time ran out: its message must not be committed with the others
      return;
    }
    commit(p, batch);
  }

  /** Commits; a timeout is retried (the outcome is not known yet), any other failure is looked up. */
  private void commit(Producer<String, byte[]> p, List<Submission> batch) throws InterruptedException {
    boolean warned = false;
    while (true) {
      try {
        p.commitTransaction();
        queued(batch);
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (!warned) {
          LOG.warn("Submission queue commit of {} messages (transactional id {}) not confirmed yet, retrying;"
              + " their clients wait for the outcome: {}", batch.size(), transactionalId, e.getMessage());
          warned = true;
        }
        if (closed) {
          resolve(batch, e);
          return;
        }
      } catch (RuntimeException e) {
        LOG.warn("Submission queue commit of {} messages (transactional id {}) failed: {}; looking up its outcome",
            batch.size(), transactionalId, e.toString());
        resolve(batch, e);
        return;
      }
    }
  }

  /**
   * A committed batch is queued once it is durable: with a broker that has no replica, once its records and the
   * transaction's commit record are on disk (group commit: the writer goes on with the next transaction while the
   * flusher works, and one flush covers every batch committed meanwhile). A flush that fails fails the batch: its
   * clients get 451 rather than a 250 that a power cut could take back.
   */
  private void queued(List<Submission> batch) {
    if (!durable.waitsForDisk()) {
      batch.forEach(s -> s.complete(null));
      return;
    }
    Set<TopicPartition> partitions = new HashSet<>();
    for (Submission s : batch) {
      partitions.add(new TopicPartition(s.written.topic(), s.written.partition()));
      partitions.addAll(s.alsoDurable);
    }
    partitions.add(new TopicPartition(DurableLog.TRANSACTION_LOG, DurableLog.EVERY_PARTITION));
    durable.sync(partitions).whenComplete((ok, failed) -> batch.forEach(s -> {
      if (failed == null) {
        s.complete(null);
      } else {
        s.completeExceptionally(failed);
      }
    }));
  }

  /**
   * The outcome of a commit that failed is not known: a new producer with our transactional id ends the old
   * transaction (its initTransactions returns once the coordinator has committed or aborted it), then the topic
   * tells which.
   */
  private void resolve(List<Submission> batch, RuntimeException failure) throws InterruptedException {
    dropProducer(Duration.ZERO);
    while (!closed) {
      try {
        producer();
        break;
      } catch (RuntimeException e) {
        LOG.warn("Submission queue writer (transactional id {}) cannot start a producer to end an unfinished"
            + " commit: {}; retrying", transactionalId, e.toString());
        Thread.sleep(RETRY_BACKOFF_MS);
      }
    }
    RecordMetadata first = batch.get(0).written;
    CommitOutcome.Outcome outcome = outcomes.of(new TopicPartition(first.topic(), first.partition()), first.offset(),
        () -> closed);
    if (outcome == CommitOutcome.Outcome.COMMITTED) {
      LOG.info("Submission queue commit of {} messages (transactional id {}) did commit", batch.size(),
          transactionalId);
      queued(batch);
      return;
    }
    if (outcome == CommitOutcome.Outcome.UNKNOWN) {
      // only when closing: the sessions are gone, nobody reads this answer
      batch.forEach(s -> s.completeExceptionally(new IllegalStateException("outcome of the Submission queue"
          + " commit (transactional id " + transactionalId + ") unknown at shutdown", failure)));
      return;
    }
    LOG.info("Submission queue commit of {} messages (transactional id {}) was aborted; writing them again",
        batch.size(), transactionalId);
    for (Submission s : batch) {
      s.state.set(Submission.QUEUED); // not written: back to withdrawable
      carried.add(s);
    }
  }

  /** Aborts the open transaction; the batch goes again except a message whose own write was refused. */
  private void abort(Producer<String, byte[]> p, List<Submission> batch, Throwable cause) throws InterruptedException {
    if (cause != null && fenced(cause)) {
      failed("send failed", cause, batch);
      return;
    }
    try {
      p.abortTransaction();
    } catch (RuntimeException e) {
      if (fenced(e)) {
        failed("abort failed", e, batch);
        return;
      }
      // the broker may be gone: the next producer's initTransactions aborts it, or the coordinator at its timeout
      LOG.warn("Submission queue writer (transactional id {}) could not abort its transaction: {}", transactionalId,
          e.toString());
      dropProducer(Duration.ZERO);
    }
    for (Submission s : batch) {
      Throwable own = ownFailure(s);
      if (own != null && !(own instanceof RetriableException) && !(own instanceof KafkaException k && aborted(k))) {
        s.completeExceptionally(own); // this message cannot be written (too large...): 451, the others go again
      } else {
        carried.add(s);
      }
    }
    if (producer == null) {
      Thread.sleep(RETRY_BACKOFF_MS);
    }
  }

  /** Not the send's own fault: the transaction was aborted for another message's failure. */
  private static boolean aborted(KafkaException e) {
    return e instanceof org.apache.kafka.common.errors.TransactionAbortedException;
  }

  private static Throwable ownFailure(Submission s) {
    if (s.ack == null || !s.ack.isDone()) {
      return null;
    }
    try {
      s.ack.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The producer failed outside a commit: its transaction never commits (a new producer's initTransactions
   * aborts it). Fenced: another producer took our transactional id: the batch fails (clients get 451 naming it);
   * anything else: the batch goes again with a new producer.
   */
  private void failed(String what, Throwable e, List<Submission> batch) throws InterruptedException {
    dropProducer(Duration.ZERO);
    if (fenced(e)) {
      String why = "Submission queue writer fenced: another producer started with transactional id "
          + transactionalId + " (a second edge with the same server name?)";
      LOG.error("{}; {} messages not queued; starting again in {} ms", why, batch.size(), RETRY_BACKOFF_MS);
      KafkaException failure = new KafkaException(why, e);
      batch.forEach(s -> s.completeExceptionally(failure));
    } else {
      LOG.warn("Submission queue writer (transactional id {}): {}: {}; trying again in {} ms", transactionalId, what,
          e.toString(), RETRY_BACKOFF_MS);
      carried.addAll(batch);
    }
    Thread.sleep(RETRY_BACKOFF_MS);
  }

  private static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException) {
        return true;
      }
    }
    return false;
  }

  private Producer<String, byte[]> producer() {
    if (producer == null) {
      Producer<String, byte[]> p = producers.open();
      try {
        p.initTransactions(); // fences a predecessor with our id and ends the transaction it left open
      } catch (RuntimeException e) {
        producers.closing(p);
        p.close(Duration.ZERO);
        throw e;
      }
      producer = p;
    }
    return producer;
  }

  private void dropProducer(Duration wait) {
    if (producer != null) {
      try {
        producers.closing(producer);
        producer.close(wait);
      } catch (RuntimeException e) {
        LOG.debug("closing the submission producer: {}", e.toString());
      }
      producer = null;
    }
  }

  /** Stops taking messages; what is not yet committing is withdrawn; waits for a commit in progress (15 s). */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
