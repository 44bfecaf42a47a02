package io.mailflow.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** KafkaClientConfig - the producer and consumer settings every stage uses, each with its reason. */
public final class KafkaClientConfig {
  private KafkaClientConfig() {}

  /** How long a stage waits for Kafka at start before it says it cannot reach it. */
  public static final int DEFAULT_STARTUP_TIMEOUT_MS = 15_000;

  /** A consumer that stops heartbeating leaves its group after this (see {@link #consumer}). */
  public static final int SESSION_TIMEOUT_MS = 6_000;

  public static Map<String, Object> producer(String bootstrapServers, String clientId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    // acks=all: a 250 reply or a committed offset means every in-sync replica has the record.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Idempotence: a retried send after a lost ack never duplicates a message in the queue.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Retries are bounded by delivery.timeout.ms, not by count.
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    // An SMTP client waits for our answer: after 30 s we say 451 and it keeps the message.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    // send() may block this long for metadata or buffer space; callers are never event loops (TopicPublisher).
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    // A few ms of linger turns many concurrent sessions into one batch per partition.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // Bodies ride inline up to the body threshold; the request must fit the largest inline message.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /**
   * The edge's submission producer: {@link #producer} plus a transactional id, so a message counts as queued only
   * once its transaction committed and one whose client was told 4xx is never written (its transaction is
   * aborted, or never committed). {@code transactionalId} must be the same on every start of the same edge: the
   * new instance's initTransactions then fences its predecessor and aborts the transaction it left open at once,
   * instead of read_committed readers waiting for the coordinator to time it out.
   */
  public static Map<String, Object> transactionalProducer(String bootstrapServers, String clientId,
      String transactionalId) {
    Map<String, Object> p = producer(bootstrapServers, clientId);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    // The longest a transaction may stay open before the coordinator aborts it. A transaction holds every
    // read_committed reader of its partitions (the categorizers) behind it, so an edge killed mid-transaction and
    // not restarted stalls them this long (plus the coordinator's 10 s abort sweep). The edge's transactions last
    // one group commit (send, acks, commit: milliseconds; the writer gives up on acks after 8 s), so 10 s is
    // ample headroom and far below the broker default of 60 s.
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    return p;
  }

  /** transaction.timeout.ms of {@link #transactionalProducer}. */
  public static final int TRANSACTION_TIMEOUT_MS = 10_000;

  /**
   * fetch.max.wait.ms of {@link #consumer}: how long the broker holds an empty fetch of a stage. A record ends it at
   * once; what the wait still delays is the consumer's next request to the same broker (one connection answers in
   * order): after a rebalance, the first fetch for partitions taken over waits for the one in flight, so this adds
   * up to its value to a hand-over (issue 11: within 10 s).
   */
  public static final int FETCH_MAX_WAIT_MS = 500;

  /**
   * fetch.max.wait.ms for consumers that no hand-over waits for: readers without a group (the control view, the
   * tracking index feed) and the delay topics' forwarders (copies wait minutes there; a partition released when its
   * copy is due is fetched up to this much later, behind the fetch in flight for the others). 2 s instead of 500 ms:
   * an idle reader costs its broker and itself a fetch every 2 s instead of two a second, and a record still ends
   * the fetch at once. Well below the consumer's request.timeout.ms (30 s).
   */
  public static final int LONG_FETCH_MAX_WAIT_MS = 2_000;

  public static Map<String, Object> consumer(String bootstrapServers, String groupId, String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    // Offsets are committed by StageLoop only after the stage's output is acknowledged.
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new consumer group must start from the oldest mail, never skip what was accepted before it existed.
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Never read records of aborted transactions (stages may write transactionally later).
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    // A dead member's partitions move within 10 s (issue 11): the coordinator notices it after the session
    // timeout, the others learn of the rebalance at their next heartbeat (1/3 of it) and rejoin at once
    // (an idle loop polls every second at most, a busy one every 10 ms), about 6 + 2 + 1 s. 6 s is the broker's default
    // group.min.session.timeout.ms, the shortest every cluster accepts without a config change; heartbeats
    // come from the client's own thread, so a busy stage never misses one (max.poll.interval.ms guards that).
    // The classic protocol with static membership (StageLoop.Options.withInstanceId), not KIP-848's
    // group.protocol=consumer: there the session timeout is the broker's (group.consumer.session.timeout.ms,
    // 45 s, and no lower than group.consumer.min.session.timeout.ms, 45 s), so getting under 10 s would need
    // a change on every user's cluster. A restarted static member takes its partitions back as it rejoins.
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
    // Long polls: the broker holds an empty fetch until a record arrives (answered at once then: min 1 byte)
    // or 500 ms pass, so an idle stage costs two requests a second instead of two hundred. Under load the
    // consumer still gets batches: everything that arrived while the stage worked on the previous poll.
    // (16 KB / 5 ms before issue 13 kept a core 30-50% busy answering empty fetches when no mail flowed.)
    c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
    // Values up to the inline-body limit must fit in one fetch.
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
    // Values stay bytes here: StageLoop decodes them so an undecodable record is parked, not fatal.
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return c;
  }
}
