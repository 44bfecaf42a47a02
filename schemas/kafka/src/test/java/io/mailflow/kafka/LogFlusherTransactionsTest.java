package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flusher's rules for transactions, on a log directory laid out as Kafka lays it out: a commit's markers go to
 * the data partitions and its completion to the transaction log after the commit returned, so the data partitions a
 * transaction wrote must be flushed after the transaction log whenever it is, and once more when requests stop.
 */
class LogFlusherTransactionsTest {
  private static final String SEGMENT = "00000000000000000000.log";

  @Test
  void everyRoundWithTheTransactionLogTakesEveryTransactionalPartitionThatGrew(@TempDir Path logs) throws Exception {
    Path p0 = segment(logs, "mail.submission.v1-0");
    Path p1 = segment(logs, "mail.submission.v1-1");
    Path txn = segment(logs, "__transaction_state-0");
    try (LogFlusher flusher = new LogFlusher(logs)) {
      flusher.sync(List.of(new TopicPartition("mail.submission.v1", 0), transactionLog())).get(10, TimeUnit.SECONDS);
      assertEquals(Files.size(p0), flusher.flushedSizes().get(p0));

      // the commit of partition 0's transaction completes: its marker, then the completion in the transaction log
      append(p0, 30);
      append(txn, 20);
      // a later transaction wrote only partition 1: its round flushes the log, so it must take partition 0 along
      append(p1, 40);
      flusher.sync(List.of(new TopicPartition("mail.submission.v1", 1), transactionLog())).get(10, TimeUnit.SECONDS);
      assertEquals(Files.size(txn), flusher.flushedSizes().get(txn));
      assertEquals(Files.size(p0), flusher.flushedSizes().get(p0),
          "partition 0's marker is on disk with the completion that the log's flush took");
      assertEquals(Files.size(p1), flusher.flushedSizes().get(p1));
    }
  }

  @Test
  void aTrailingRoundTakesMarkersWrittenAfterTheLastRequest(@TempDir Path logs) throws Exception {
    Path p0 = segment(logs, "mail.submission.v1-0");
    Path txn = segment(logs, "__transaction_state-0");
    Path events = segment(logs, "mail.tracking.v1-0");
    try (LogFlusher flusher = new LogFlusher(logs)) {
      flusher.sync(List.of(new TopicPartition("mail.submission.v1", 0), transactionLog())).get(10, TimeUnit.SECONDS);
      long rounds = flusher.groupFlushes();
      append(p0, 30);
      append(txn, 20);
      append(events, 50);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!Long.valueOf(Files.size(p0)).equals(flusher.flushedSizes().get(p0)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(Files.size(p0), flusher.flushedSizes().get(p0), "the marker reached the disk without a request");
      assertEquals(Files.size(txn), flusher.flushedSizes().get(txn));
      assertEquals(null, flusher.flushedSizes().get(events), "a partition no transaction wrote is not flushed");
      assertEquals(rounds, flusher.groupFlushes(), "the trailing round answers no request and is not counted as one");
    }
  }

  private static TopicPartition transactionLog() {
    return new TopicPartition(DurableLog.TRANSACTION_LOG, DurableLog.EVERY_PARTITION);
  }

  private static Path segment(Path logs, String partition) throws Exception {
    Path file = Files.createDirectories(logs.resolve(partition)).resolve(SEGMENT);
    Files.write(file, new byte[10]);
    return file;
  }

  private static void append(Path file, int bytes) throws Exception {
    Files.write(file, new byte[bytes], StandardOpenOption.APPEND);
  }
}
