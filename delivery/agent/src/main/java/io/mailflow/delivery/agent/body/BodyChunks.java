package io.mailflow.delivery.agent.body;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.codec.UndecodableRecordException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BodyChunks - reads the chunks of claim-checked bodies from mail.bodies.v1 for every delivery of this
 * instance: one consumer on its own thread, no consumer group (it assigns the partition and seeks to each
 * chunk's offset, so it never moves any group's offsets).
 *
 * <p>Fair by construction: requests are served first come, first served, and each reading has at most
 * one chunk being read ahead ({@link ReferencedMessage}), so a 30 MB body does not hold up a small one
 * behind it for more than a chunk.
 *
 * <p>Cheap per body (issue 13: bodies past a few KB travel by reference, so there is one read per message): every
 * partition asked for stays assigned (a change of assignment re-registers the consumer's metrics per partition,
 * which cost more than the fetch), all paused but the one being read. The records fetched at and after the wanted
 * offset are kept, newest {@link #CACHE_BYTES} at most, and a partition is read onwards from where the last fetch ended when the wanted
 * offset lies a little ahead ({@link #READ_ON_RECORDS}), else sought: bodies are written in about the order their
 * copies are delivered, so one fetch brings the chunks of the next few messages too.
 *
 * <p>An offset retention removed, a record that is not the chunk the reference names, or a partition
 * that does not exist fails the read for good ({@link BodyUnavailableException#permanent()}); no answer
 * from Kafka within the read timeout fails it transiently.
 */
public final class BodyChunks implements AutoCloseable {

  /** How long one chunk may take before Kafka counts as unreachable (transient). */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(BodyChunks.class);
  private static final Duration POLL = Duration.ofMillis(100);
  /** Records one poll hands over. */
  private static final int MAX_POLL_RECORDS = 64;
  /** Fetched records kept for the reads to come: the newest this many octets (values) at most. */
  static final long CACHE_BYTES = 32L * 1024 * 1024;
  /** A wanted offset at most this many records past where a partition's last fetch ended is read on to, not sought. */
  static final int READ_ON_RECORDS = 256;

  private final KafkaConsumer<String, byte[]> consumer;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final Duration readTimeout;
  private final Thread thread;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile boolean running = true;
  /** Every partition asked for so far (reader thread only); all paused but the one being read. */
  private final Set<TopicPartition> assigned = new HashSet<>();
  /** Per assigned partition, the offset its consumer position stands at when known (after a seek or a fetch). */
  private final Map<TopicPartition, Long> next = new HashMap<>();
  /** Fetched records by partition and offset, oldest first: what reads may take without a fetch. */
  private final LinkedHashMap<Position, ConsumerRecord<String, byte[]>> fetched = new LinkedHashMap<>();
  private long fetchedBytes;

  private record Position(TopicPartition partition, long offset) {}

  private record Request(BodyReference reference, int index, String networkMessageId,
      CompletableFuture<BodyChunk> result) {
    long offset() {
      return reference.getOffsets().get(index);
    }

    String where() {
      return "body " + reference.getBodyId() + " chunk " + index + " at " + Topics.BODIES.name() + "-"
          + reference.getPartition() + "@" + offset() + " (network message id " + networkMessageId + ")";
    }
  }

  private BodyChunks(String bootstrapServers, String clientId, Duration readTimeout) {
    this.readTimeout = readTimeout;
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrapServers, "unused", clientId);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // An offset that is gone must say so, not silently jump to another record.
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
    config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024);
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    this.consumer = new KafkaConsumer<>(config);
    this.thread = new Thread(this::run, "body-chunks-" + clientId);
    this.thread.setDaemon(true);
  }

  /** Starts the reader thread; {@code clientId} names it to Kafka. */
  public static BodyChunks start(String bootstrapServers, String clientId, Duration readTimeout) {
    BodyChunks chunks = new BodyChunks(bootstrapServers, clientId, readTimeout);
    chunks.thread.start();
    return chunks;
  }

  /**
   * Chunk {@code index} of {@code reference}, checked to be that body's chunk with that index. Completes on
   * the reader thread; cancel the future to drop a read not needed any more.
   */
  public CompletableFuture<BodyChunk> read(BodyReference reference, int index, String networkMessageId) {
    CompletableFuture<BodyChunk> result = new CompletableFuture<>();
    if (index < 0 || index >= reference.getOffsets().size()) {
      result.completeExceptionally(new BodyUnavailableException("body " + reference.getBodyId() + " (network"
          + " message id " + networkMessageId + ") has no offset for chunk " + index + ": the reference lists "
          + reference.getOffsets().size() + " offsets for " + reference.getChunkCount() + " chunks", true, null));
      return result;
    }
    if (!running) {
      result.completeExceptionally(new BodyUnavailableException("body chunk reader is closed", false, null));
      return result;
    }
    requests.add(new Request(reference, index, networkMessageId, result));
    return result;
  }

  private void run() {
    try {
      while (running) {
        Request request = requests.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
        if (request == null || request.result().isDone()) {
          continue;
        }
        try {
          request.result().complete(fetch(request));
        } catch (BodyUnavailableException e) {
          request.result().completeExceptionally(e);
        } catch (WakeupException e) {
          request.result().completeExceptionally(new BodyUnavailableException(request.where()
              + ": reader closed", false, e));
        } catch (KafkaException e) {
          forget();
          request.result().completeExceptionally(new BodyUnavailableException(request.where() + ": " + e, false, e));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Request left;
      while ((left = requests.poll()) != null) {
        left.result().completeExceptionally(new BodyUnavailableException(left.where() + ": reader closed",
            false, null));
      }
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("body chunks: closing the consumer: {}", e.toString());
      }
      closed.complete(null);
    }
  }

  private BodyChunk fetch(Request request) {
    BodyReference reference = request.reference();
    long offset = request.offset();
    TopicPartition partition = new TopicPartition(Topics.BODIES.name(), reference.getPartition());
    if (reference.getPartition() < 0) {
      throw new BodyUnavailableException(request.where() + ": the reference names no partition", true, null);
    }
    ConsumerRecord<String, byte[]> record = fetched.get(new Position(partition, offset));
    if (record == null) {
      record = seekAndPoll(request, partition, offset);
    }
    BodyChunk chunk;
    try {
      chunk = Topics.BODIES.codec().decode(record.value());
    } catch (UndecodableRecordException e) {
      throw new BodyUnavailableException(request.where() + ": not a BodyChunk: " + e.getMessage(), true, e);
    }
    if (!reference.getBodyId().equals(chunk.getBodyId())) {
      throw new BodyUnavailableException(request.where() + ": the record there belongs to body "
          + chunk.getBodyId(), true, null);
    }
    if (chunk.getIndex() != request.index()) {
      throw new BodyUnavailableException(request.where() + ": the record there is chunk " + chunk.getIndex(),
          true, null);
    }
    return chunk;
  }

  private ConsumerRecord<String, byte[]> seekAndPoll(Request request, TopicPartition partition, long offset) {
    if (assigned.add(partition)) {
      consumer.assign(List.copyOf(assigned)); // a new partition: positions of the others are not known any more
      next.clear();
    }
    consumer.pause(assigned);
    consumer.resume(List.of(partition));
    Long at = next.get(partition);
    if (at == null || offset < at || offset - at > READ_ON_RECORDS) {
      // Seeking drops whatever the consumer buffered for another position of this partition: a record that
      // retention removed since is then reported gone, not handed back from an old fetch.
      consumer.seek(partition, offset);
      next.put(partition, offset);
    }
    long deadline = System.nanoTime() + readTimeout.toNanos();
    while (running) {
      ConsumerRecords<String, byte[]> records;
      try {
        records = consumer.poll(POLL);
      } catch (OffsetOutOfRangeException e) {
        forget();
        throw new BodyUnavailableException(request.where() + ": offset out of range" + range(partition)
            + "; retention (" + Topics.BODIES.name() + ") has removed it or it never existed", true, e);
      }
      ConsumerRecord<String, byte[]> found = null;
      Long after = null; // the first record past the wanted offset
      for (ConsumerRecord<String, byte[]> r : records.records(partition)) {
        if (r.offset() >= offset) {
          keep(r); // what lies ahead is wanted next; what was read over is not kept (asked for, it is sought)
        }
        if (r.offset() == offset) {
          found = r;
        } else if (r.offset() > offset && after == null) {
          after = r.offset();
        }
        next.put(partition, r.offset() + 1);
      }
      if (found != null) {
        return found;
      }
      if (after != null) {
        throw new BodyUnavailableException(request.where() + ": no record at that offset (the next one is "
            + after + ")", true, null);
      }
      if (System.nanoTime() > deadline) {
        forget();
        throw timedOut(request, partition, offset);
      }
    }
    throw new WakeupException();
  }

  /** Keeps a fetched record for the reads to come, dropping the oldest past {@link #CACHE_BYTES}. */
  private void keep(ConsumerRecord<String, byte[]> record) {
    Position at = new Position(new TopicPartition(record.topic(), record.partition()), record.offset());
    ConsumerRecord<String, byte[]> old = fetched.put(at, record);
    if (old != null) {
      fetchedBytes -= size(old);
    }
    fetchedBytes += size(record);
    Iterator<ConsumerRecord<String, byte[]>> oldest = fetched.values().iterator();
    while (fetchedBytes > CACHE_BYTES && oldest.hasNext()) {
      fetchedBytes -= size(oldest.next());
      oldest.remove();
    }
  }

  private static long size(ConsumerRecord<String, byte[]> record) {
    return record.value() == null ? 0 : record.value().length;
  }

  /** Nothing came: an offset at or past the end is permanent, a silent broker transient. */
  private BodyUnavailableException timedOut(Request request, TopicPartition partition, long offset) {
    try {
      Long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
      if (end != null && offset >= end) {
        return new BodyUnavailableException(request.where() + ": the offset is past the end of the partition"
            + " (next offset " + end + ")", true, null);
      }
    } catch (KafkaException e) {
      return new BodyUnavailableException(request.where() + ": cannot reach Kafka within "
          + readTimeout.toSeconds() + " s (" + e.getMessage() + ")", false, e);
    }
    return new BodyUnavailableException(request.where() + ": no answer from Kafka within "
        + readTimeout.toSeconds() + " s", false, null);
  }

  private String range(TopicPartition partition) {
    try {
      Long start = consumer.beginningOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
      Long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition);
      return " (the partition holds " + start + " to " + (end - 1) + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Starts over: nothing assigned, nothing kept (after a failure whose state is not known). */
  private void forget() {
    fetched.clear();
    fetchedBytes = 0;
    next.clear();
    if (!assigned.isEmpty()) {
      consumer.assign(List.of());
      assigned.clear();
    }
  }

  /** Stops the thread; reads still queued fail (transient). Blocks up to a few seconds. */
  @Override
  public void close() {
    running = false;
    try {
      closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("body chunks: reader did not stop in time: {}", e.toString());
    }
  }
}
