package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CommitOutcome#reading} on a real broker: how the submission writer learns, after a commit call that
 * failed, whether the transaction committed (its record is read at its offset) or was aborted (a read_committed
 * reader skips past it); and that it gives up, UNKNOWN, on a record that is not there yet.
 */
class CommitOutcomeIT {
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    TopicProvisioner.ensureTopics(kafka.bootstrapServers(), 1, (short) 1, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  /** Writes one record in a transaction and commits or aborts it; returns where it went. */
  private static RecordMetadata written(String id, boolean commit) throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        KafkaClientConfig.transactionalProducer(kafka.bootstrapServers(), id, id))) {
      producer.initTransactions();
      producer.beginTransaction();
      RecordMetadata at = producer.send(new ProducerRecord<>(Topics.SUBMISSION.name(), id, new byte[] {1}))
          .get(30, TimeUnit.SECONDS);
      if (commit) {
        producer.commitTransaction();
      } else {
        producer.abortTransaction();
      }
      return at;
    }
  }

  private static CommitOutcome.Outcome outcome(RecordMetadata at, Duration patience) {
    long giveUpAt = System.nanoTime() + patience.toNanos();
    return CommitOutcome.reading(kafka.bootstrapServers(), "commit-outcome-it")
        .of(new TopicPartition(at.topic(), at.partition()), at.offset(), () -> System.nanoTime() > giveUpAt);
  }

  @Test
  void aCommittedTransactionsRecordIsReadAtItsOffset() throws Exception {
    assertEquals(CommitOutcome.Outcome.COMMITTED, outcome(written("outcome-committed", true), Duration.ofSeconds(30)));
  }

  @Test
  void anAbortedTransactionsRecordIsSkipped() throws Exception {
    RecordMetadata aborted = written("outcome-aborted", false);
    written("outcome-after", true); // something after it, as on a busy topic
    assertEquals(CommitOutcome.Outcome.ABORTED, outcome(aborted, Duration.ofSeconds(30)));
  }

  @Test
  void anAbortedTransactionAtTheEndOfThePartitionIsSkippedToo() throws Exception {
    assertEquals(CommitOutcome.Outcome.ABORTED, outcome(written("outcome-aborted-last", false),
        Duration.ofSeconds(30)));
  }

  @Test
  void anOffsetNotWrittenYetGivesUpUnknown() throws Exception {
    RecordMetadata last = written("outcome-future", true);
    RecordMetadata ahead = new RecordMetadata(new TopicPartition(last.topic(), last.partition()), last.offset() + 100,
        0, 0, 0, 0);
    assertEquals(CommitOutcome.Outcome.UNKNOWN, outcome(ahead, Duration.ofSeconds(3)));
  }
}
