package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's decisions, on Kafka's MockProducer (acks, commits and failures when the test says); the same
 * against a real broker, stopped and restarted, is {@link SubmissionTransactionsIT}.
 */
class SubmissionWriterTest {
  private static final Duration LONG = Duration.ofSeconds(45);
  private final CountDownLatch commitMayEnd = new CountDownLatch(1);
  private final AtomicInteger commitCalls = new AtomicInteger();
  private volatile boolean holdCommit;
  private volatile RuntimeException firstCommitFails;
  /** Keys of every send, in every transaction (MockProducer's history holds committed ones only). */
  private final List<String> sends = new CopyOnWriteArrayList<>();
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
          sends.add(record.key());
          return super.send(record, callback);
        }

        @Override
        public void commitTransaction() {
          if (commitCalls.incrementAndGet() == 1 && firstCommitFails != null) {
            throw firstCommitFails;
          }
          if (holdCommit) {
            try {
              commitMayEnd.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          super.commitTransaction();
        }
      };
  private final SubmissionWriter writer = new SubmissionWriter(() -> producer,
      (partition, offset, giveUp) -> CommitOutcome.Outcome.ABORTED, "mail.submission.v1", "edge-test");

  @AfterEach
  void close() {
    commitMayEnd.countDown();
    writer.close();
  }

  @Test
  void committedSubmissionCompletesAndCannotBeWithdrawn() throws Exception {
    SubmissionWriter.Submission s = writer.submit("nmid-1", new byte[] {1}, LONG);
    Awaitility.await().until(() -> sends.size() == 1);
    assertTrue(producer.completeNext());
    s.get(5, TimeUnit.SECONDS);
    assertTrue(producer.transactionCommitted());
    assertFalse(s.withdraw(), "a committed message is written: its client must get the 250");
  }

  @Test
  void submissionWithdrawnBeforeItsCommitIsNeverCommitted() throws Exception {
    SubmissionWriter.Submission s = writer.submit("nmid-2", new byte[] {2}, LONG);
    Awaitility.await().until(() -> sends.size() == 1);
    assertTrue(s.withdraw(), "not committing yet: may be taken back");
    assertTrue(producer.completeNext()); // the broker acknowledges it after all
    Awaitility.await().until(producer::transactionAborted);
    assertFalse(producer.transactionCommitted());
    ExecutionException e = assertThrows(ExecutionException.class, () -> s.get(5, TimeUnit.SECONDS));
    assertInstanceOf(BackPressureException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("edge-test"), e.getCause().getMessage());
  }

  @Test
  void othersInAnAbortedTransactionGoAgainInTheNext() throws Exception {
    holdCommit = true;
    SubmissionWriter.Submission blocker = writer.submit("nmid-0", new byte[] {0}, LONG);
    Awaitility.await().until(() -> sends.size() == 1);
    producer.completeNext(); // its commit now hangs, so the next two queue up together
    SubmissionWriter.Submission kept = writer.submit("nmid-3", new byte[] {3}, LONG);
    SubmissionWriter.Submission withdrawn = writer.submit("nmid-4", new byte[] {4}, LONG);
    commitMayEnd.countDown();
    blocker.get(5, TimeUnit.SECONDS);
    Awaitility.await().until(() -> sends.size() == 3);
    assertTrue(withdrawn.withdraw());
    producer.completeNext();
    producer.completeNext();
    // aborted, then kept alone in a new transaction
    Awaitility.await().until(() -> sends.size() == 4);
    assertEquals("nmid-3", sends.get(3));
    producer.completeNext();
    kept.get(5, TimeUnit.SECONDS);
    assertTrue(withdrawn.isCompletedExceptionally());
  }

  @Test
  void onceItsCommitStartedAClientWaitsForTheOutcome() throws Exception {
    holdCommit = true;
    SubmissionWriter.Submission s = writer.submit("nmid-5", new byte[] {5}, LONG);
    Awaitility.await().until(() -> sends.size() == 1);
    producer.completeNext();
    Awaitility.await().until(() -> commitCalls.get() == 1);
    assertFalse(s.withdraw(), "committing: the client must not be told 4xx");
    commitMayEnd.countDown();
    s.get(5, TimeUnit.SECONDS);
  }

  @Test
  void commitTimeoutIsRetriedNeverAnswered4xx() throws Exception {
    firstCommitFails = new TimeoutException("Timeout expired after 10000ms while awaiting EndTxn(true)");
    SubmissionWriter.Submission s = writer.submit("nmid-6", new byte[] {6}, LONG);
    Awaitility.await().until(() -> sends.size() == 1);
    producer.completeNext();
    s.get(5, TimeUnit.SECONDS);
    assertEquals(2, commitCalls.get());
  }

  @Test
  void expiredBeforeItsAcksIsWithdrawnAndAborted() throws Exception {
    SubmissionWriter.Submission s = writer.submit("nmid-7", new byte[] {7}, Duration.ofMillis(200));
    // never acknowledged (a stopped broker): the writer gives up at the deadline
    ExecutionException e = assertThrows(ExecutionException.class, () -> s.get(5, TimeUnit.SECONDS));
    assertInstanceOf(BackPressureException.class, e.getCause());
    Awaitility.await().until(producer::transactionAborted);
    assertFalse(producer.transactionCommitted());
  }

  @Test
  void fencedWriterFailsTheBatchNamingItsTransactionalId() {
    Awaitility.await().until(producer::transactionInitialized);
    producer.fenceProducer();
    SubmissionWriter.Submission s = writer.submit("nmid-8", new byte[] {8}, LONG);
    ExecutionException e = assertThrows(ExecutionException.class, () -> s.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("fenced") && e.getCause().getMessage().contains("edge-test"),
        e.getCause().getMessage());
    assertInstanceOf(ProducerFencedException.class, e.getCause().getCause());
  }

  @Test
  void aCommittedSubmissionIsQueuedOnlyOnceOnDiskAndAFailedFlushIsNoTwoFifty() throws Exception {
    java.util.concurrent.CompletableFuture<Void> flushed = new java.util.concurrent.CompletableFuture<>();
    List<java.util.Collection<org.apache.kafka.common.TopicPartition>> asked = new CopyOnWriteArrayList<>();
    io.mailflow.kafka.DurableLog disk = partitions -> {
      asked.add(partitions);
      return flushed;
    };
    MockProducer<String, byte[]> own = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    SubmissionWriter durable = new SubmissionWriter(() -> own,
        (partition, offset, giveUp) -> CommitOutcome.Outcome.ABORTED, "mail.submission.v1", "edge-durable", disk);
    try {
      SubmissionWriter.Submission s = durable.submit("nmid-9", new byte[] {9}, LONG);
      Awaitility.await().until(own::completeNext); // its send acknowledged once the writer has made it
      Awaitility.await().until(own::transactionCommitted);
      Awaitility.await().until(() -> asked.size() == 1);
      assertTrue(asked.get(0).contains(new org.apache.kafka.common.TopicPartition(
          io.mailflow.kafka.DurableLog.TRANSACTION_LOG, io.mailflow.kafka.DurableLog.EVERY_PARTITION)),
          "the commit record is flushed too: " + asked.get(0));
      assertFalse(s.isDone(), "committed but not on disk yet: no 250");
      flushed.completeExceptionally(new java.io.UncheckedIOException("disk gone", new java.io.IOException("EIO")));
      ExecutionException e = assertThrows(ExecutionException.class, () -> s.get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("disk gone"), e.getCause().getMessage());
    } finally {
      durable.close();
    }
  }

  @Test
  void aClaimCheckedBodysPartitionIsFlushedWithItsSubmissionBeforeTheTwoFifty() throws Exception {
    java.util.concurrent.CompletableFuture<Void> flushed = new java.util.concurrent.CompletableFuture<>();
    List<java.util.Collection<org.apache.kafka.common.TopicPartition>> asked = new CopyOnWriteArrayList<>();
    io.mailflow.kafka.DurableLog disk = partitions -> {
      asked.add(partitions);
      return flushed;
    };
    MockProducer<String, byte[]> own = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    SubmissionWriter durable = new SubmissionWriter(() -> own,
        (partition, offset, giveUp) -> CommitOutcome.Outcome.ABORTED, "mail.submission.v1", "edge-body", disk);
    org.apache.kafka.common.TopicPartition chunks = new org.apache.kafka.common.TopicPartition("mail.bodies.v1", 4);
    try {
      SubmissionWriter.Submission s = durable.submit("nmid-10", new byte[] {10}, LONG, List.of(chunks));
      Awaitility.await().until(own::completeNext);
      Awaitility.await().until(own::transactionCommitted);
      Awaitility.await().until(() -> asked.size() == 1);
      assertTrue(asked.get(0).contains(chunks), "the body's chunks share the submission's flush: " + asked.get(0));
      assertFalse(s.isDone(), "no 250 before that flush");
      flushed.complete(null);
      s.get(5, TimeUnit.SECONDS);
    } finally {
      durable.close();
    }
  }
}
