package io.mailflow.kafka;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * DurableLog - makes what a broker has acknowledged survive a power cut: {@link #sync} completes once every
 * record appended to the given partitions before the call is on disk. A Kafka cluster with replicas makes an
 * acknowledged record durable by copying it ({@link #replicated()}: nothing to do); a single embedded broker has no
 * replica, so there the records' log files are flushed ({@link LogFlusher}) before a 250 is answered or a stage's
 * input offset is committed.
 */
public interface DurableLog {
  /**
   * Completes when the records appended so far to {@code partitions} are on disk; a partition number of
   * {@link #EVERY_PARTITION} means every partition of that topic (the transaction log, whose partition for a
   * transactional id only the broker knows).
   */
  CompletableFuture<Void> sync(Collection<TopicPartition> partitions);

  /** The partition number that stands for every partition of its topic. */
  int EVERY_PARTITION = -1;

  /** Kafka's transaction log: a committed transaction is only as durable as its commit record there. */
  String TRANSACTION_LOG = "__transaction_state";

  /** Durability comes from replication (or is not asked for): nothing to wait for. */
  static DurableLog replicated() {
    return Replicated.INSTANCE;
  }

  /** False when {@link #sync} never waits (durability by replication). */
  default boolean waitsForDisk() {
    return true;
  }

  /** The no-op. */
  enum Replicated implements DurableLog {
    INSTANCE;

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    @Override
    public CompletableFuture<Void> sync(Collection<TopicPartition> partitions) {
      return DONE;
    }

    @Override
    public boolean waitsForDisk() {
      return false;
    }
  }
}
