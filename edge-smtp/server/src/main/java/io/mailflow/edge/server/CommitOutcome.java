package io.mailflow.edge.server;

import io.mailflow.kafka.KafkaClientConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * CommitOutcome - whether a transaction whose commit call failed did commit, read from the topic itself: a
 * read_committed reader at one of its records gets that record if the transaction committed and skips past it
 * if it was aborted (all of a transaction's records share one fate). Only asked once the transaction is over
 * (a new producer with the same transactional id ended it), so the reader never waits on it for long.
 */
interface CommitOutcome {
  enum Outcome { COMMITTED, ABORTED, UNKNOWN }

  /** Looks until known or {@code giveUp} says stop (then UNKNOWN); retries while Kafka cannot be reached. */
  Outcome of(TopicPartition partition, long offset, BooleanSupplier giveUp);

  /** Reads with a consumer of its own (no group: assigned, nothing committed). */
  static CommitOutcome reading(String bootstrapServers, String clientId) {
    return (partition, offset, giveUp) -> {
      Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", clientId);
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
      // an offset not (or no longer) in the log is not an answer: never read from elsewhere instead
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      try (Consumer<String, byte[]> reader = new KafkaConsumer<>(config)) {
        reader.assign(List.of(partition));
        reader.seek(partition, offset);
        while (!giveUp.getAsBoolean()) {
          try {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
              if (r.offset() >= offset) {
                return r.offset() == offset ? Outcome.COMMITTED : Outcome.ABORTED;
              }
            }
            // read_committed skips an aborted transaction's records and the markers without returning them
            if (reader.position(partition, Duration.ofSeconds(2)) > offset) {
              return Outcome.ABORTED;
            }
          } catch (KafkaException e) {
            // broker away for now (timeouts are KafkaExceptions), or the offset is out of range: ask again
          }
        }
        return Outcome.UNKNOWN;
      }
    };
  }
}
