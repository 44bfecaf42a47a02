package io.mailflow.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * TopicPublisher - writes typed records to mailflow topics; the returned future completes when Kafka
 * acknowledged the record (acks=all), or fails with the reason.
 *
 * <p>{@code KafkaProducer.send} can block for metadata or buffer space; this class makes that call on
 * its own thread so an event loop may call {@link #send} freely. One publisher (one producer) per
 * process role is enough: the producer is thread-safe and batches across callers.
 */
public final class TopicPublisher implements AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final ExecutorService sender;
  private KafkaClientMetrics producerMeters;
  /** Where the records go, for error messages: the bootstrap servers, or "Kafka" when built from a producer. */
  private String brokers = "Kafka";
  private final PublisherTaps taps = new PublisherTaps();

  public TopicPublisher(Producer<String, byte[]> producer, String name) {
    this.producer = producer;
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "kafka-send-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** A publisher with mailflow's producer defaults ({@link KafkaClientConfig#producer}). */
  public static TopicPublisher create(String bootstrapServers, String clientId) {
    TopicPublisher publisher =
        new TopicPublisher(new KafkaProducer<>(KafkaClientConfig.producer(bootstrapServers, clientId)), clientId);
    publisher.brokers = bootstrapServers;
    return publisher;
  }

  /**
   * As {@link #create(String, String)}, with the producer's metrics (send rate, request latency, errors) in
   * {@code meters}, tagged {@code stage}.
   */
  public static TopicPublisher create(String bootstrapServers, String clientId, String stage, MeterRegistry meters) {
    TopicPublisher publisher = create(bootstrapServers, clientId);
    publisher.producerMeters = KafkaClientMeters.bind(publisher.producer, stage, meters);
    return publisher;
  }

  /** Sends one record; completes after the broker's acknowledgement. Never blocks the caller. */
  public <V extends SpecificRecord> CompletableFuture<RecordMetadata> send(Topic<V> topic, String key, V value) {
    if (taps.skipped(topic, value)) {
      return CompletableFuture.completedFuture(null); // not written at all: nothing to wait for
    }
    byte[] bytes;
    try {
      bytes = topic.codec().encode(value);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    taps.sent(topic, value);
    return sendRaw(topic.name(), key, bytes);
  }

  /**
   * Also hands every record {@link #send} takes for {@code topic} to {@code tap}, on the sender's thread, once it
   * encoded (e.g. the node's MSGTRK and SEND files). The tap must not block nor throw; a throw is logged and ignored.
   */
  public <V extends SpecificRecord> TopicPublisher onSend(Topic<V> topic, java.util.function.Consumer<? super V> tap) {
    taps.onSend(topic, tap);
    return this;
  }

  /**
   * Records of {@code topic} that {@code unwanted} accepts are not written (their future completes with null
   * metadata), e.g. message tracking events when messageTrackingLogEnabled is false.
   */
  public <V extends SpecificRecord> TopicPublisher skip(Topic<V> topic, java.util.function.Predicate<? super V> unwanted) {
    taps.skip(topic, unwanted);
    return this;
  }

  /**
   * For tools (CLI commands, the admin server's workers), never an event loop: sends one record and waits up to
   * {@code timeout} for the acknowledgement.
   *
   * @throws KafkaUnavailableException naming the topic, the brokers and the wait, when Kafka did not take it
   */
  public <V extends SpecificRecord> RecordMetadata sendAndWait(Topic<V> topic, String key, V value,
      Duration timeout) {
    return await(topic.name(), send(topic, key, value), timeout);
  }

  /**
   * As {@link #sendAndWait}, for bytes already encoded (a parked record resubmitted unchanged): for tools, never an
   * event loop.
   *
   * @throws KafkaUnavailableException naming the topic, the brokers and the wait, when Kafka did not take it
   */
  public RecordMetadata sendRawAndWait(String topic, String key, byte[] value, Duration timeout) {
    return await(topic, sendRaw(topic, key, value), timeout);
  }

  private RecordMetadata await(String topic, CompletableFuture<RecordMetadata> acked, Duration timeout) {
    try {
      return acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KafkaUnavailableException("cannot write to " + topic + " at " + brokers + " within "
          + timeout.toSeconds() + " s: " + cause, cause);
    }
  }

  /** Sends a message-tracking event, keyed by its network message id as mail.tracking.v1 is. */
  public CompletableFuture<RecordMetadata> track(io.mailflow.schemas.avro.TrackingEvent event) {
    return send(Topics.TRACKING, event.getNetworkMessageId(), event);
  }

  /** Sends bytes already encoded (replay and poison parking pass records through unchanged). */
  public CompletableFuture<RecordMetadata> sendRaw(String topic, String key, byte[] value) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      sender.execute(() -> {
        try {
          producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(error);
            } else {
              acked.complete(metadata);
            }
          });
        } catch (RuntimeException e) {
          acked.completeExceptionally(e);
        }
      });
    } catch (RuntimeException rejected) {
      acked.completeExceptionally(new IllegalStateException("publisher is closed", rejected));
    }
    return acked;
  }

  /** Sends what is batched and waits for it: used before committing offsets at shutdown. */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (producerMeters != null) {
      producerMeters.close();
    }
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
