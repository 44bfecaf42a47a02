package io.mailflow.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * TopicPublisher - writes typed records to mailflow topics; the returned future completes when Kafka
 * acknowledged the record (acks=all), or fails with the reason.
 *
 * <p>{@code KafkaProducer.send} can block for metadata or buffer space; this class makes that call on
 * its own thread so an event loop may call {@link #send} freely. One publisher (one producer) per
 * process role is enough: the producer is thread-safe and batches across callers.
 *
 * <p>Events (tracking, protocol log) are gathered for {@link #DEFAULT_EVENT_DELAY} before they go to the
 * producer, all at once: nobody needs them within milliseconds (a stage waits for their acks only before it commits
 * its input offsets), and many messages' events then cost the broker one append per partition instead of one each.
 * Queue records go at once.
 */
public final class TopicPublisher implements AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final java.util.concurrent.ScheduledExecutorService sender;
  /** How long an event waits for others before they go to the producer together; zero: at once. */
  private final Duration eventDelay;
  /** Events waiting for the next {@link #drainEvents}, in the order sent. */
  private final java.util.Queue<Runnable> pendingEvents = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closing;
  /** How the event streams (tracking, protocol log) are written: the organization's setting, JSON by default. */
  private final EventEncoding encoding;
  private KafkaClientMetrics producerMeters;
  /** Where the records go, for error messages: the bootstrap servers, or "Kafka" when built from a producer. */
  private String brokers = "Kafka";
  /** Whose flush an acknowledged record waits for (the embedded broker's, in {@code mailflow run}), if anyone's. */
  private DurableLog durable = DurableLog.replicated();
  private final PublisherTaps taps = new PublisherTaps();

  /** A publisher writing the event streams as JSON ({@link EventEncoding#defaults()}). */
  public TopicPublisher(Producer<String, byte[]> producer, String name) {
    this(producer, name, EventEncoding.defaults());
  }

  /** A publisher writing the event streams as {@code encoding} says (the organization's transportService). */
  public TopicPublisher(Producer<String, byte[]> producer, String name, EventEncoding encoding) {
    this(producer, name, encoding, DEFAULT_EVENT_DELAY);
  }

  /**
   * As above, events gathered for {@code eventDelay} before they go to the producer together (zero: each at once).
   */
  public TopicPublisher(Producer<String, byte[]> producer, String name, EventEncoding encoding, Duration eventDelay) {
    this.producer = producer;
    this.encoding = encoding == null ? EventEncoding.defaults() : encoding;
    if (eventDelay == null || eventDelay.isNegative()) {
      throw new IllegalArgumentException("eventDelay must be zero or positive, got " + eventDelay);
    }
    this.eventDelay = eventDelay;
    java.util.concurrent.ScheduledThreadPoolExecutor thread = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
        r -> {
          Thread t = new Thread(r, "kafka-send-" + name);
          t.setDaemon(true);
          return t;
        });
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close drains the gathered events itself
    this.sender = thread;
  }

  /**
   * How long an event waits for others before they go to the producer together: events of the messages a busy
   * node moves in that time share one produce request and one append per partition.
   */
  public static final Duration DEFAULT_EVENT_DELAY = Duration.ofMillis(20);

  /** A publisher with mailflow's producer defaults ({@link KafkaClientConfig#producer}), event streams as JSON. */
  public static TopicPublisher create(String bootstrapServers, String clientId) {
    return create(bootstrapServers, clientId, EventEncoding.defaults());
  }

  /** As {@link #create(String, String)}, writing the event streams as {@code encoding} says. */
  public static TopicPublisher create(String bootstrapServers, String clientId, EventEncoding encoding) {
    TopicPublisher publisher = new TopicPublisher(
        new KafkaProducer<>(KafkaClientConfig.producer(bootstrapServers, clientId)), clientId, encoding);
    publisher.brokers = bootstrapServers;
    publisher.durable = DurableLogs.forBootstrap(bootstrapServers);
    return publisher;
  }

  /**
   * As {@link #create(String, String)}, with the producer's metrics (send rate, request latency, errors) in
   * {@code meters}, tagged {@code stage}.
   */
  public static TopicPublisher create(String bootstrapServers, String clientId, String stage, MeterRegistry meters) {
    return create(bootstrapServers, clientId, stage, meters, EventEncoding.defaults());
  }

  /** As {@link #create(String, String, String, MeterRegistry)}, writing the event streams as {@code encoding} says. */
  public static TopicPublisher create(String bootstrapServers, String clientId, String stage, MeterRegistry meters,
      EventEncoding encoding) {
    TopicPublisher publisher = create(bootstrapServers, clientId, encoding);
    publisher.producerMeters = KafkaClientMeters.bind(publisher.producer, stage, meters);
    return publisher;
  }

  /** How this publisher writes the event streams. */
  public EventEncoding encoding() {
    return encoding;
  }

  /**
   * Sends one record; completes after the broker's acknowledgement. Never blocks the caller. An event stream's
   * record (tracking, protocol log) is encoded as {@link #encoding()} says, with its content-type header, on the
   * publisher's thread (JSON is the costly part of an event: not on the caller's event loop), so the caller must
   * not change {@code value} after this call; with {@code Both} the future completes when the topic and its JSON
   * twin both took it. Any other record is encoded (Avro) before this returns.
   */
  public <V extends SpecificRecord> CompletableFuture<RecordMetadata> send(Topic<V> topic, String key, V value) {
    if (taps.skipped(topic, value)) {
      return CompletableFuture.completedFuture(null); // not written at all: nothing to wait for
    }
    if (encoding.formatOf(topic) != null) {
      return sendEvent(topic, key, value);
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

  /** An event stream's record: encoded, tapped and sent on the publisher's thread, in the order of the calls. */
  private <V extends SpecificRecord> CompletableFuture<RecordMetadata> sendEvent(Topic<V> topic, String key,
      V value) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      gather(() -> {
        List<EventEncoding.Encoded> events;
        try {
          events = encoding.encode(topic, value);
        } catch (RuntimeException e) {
          acked.completeExceptionally(e);
          return;
        }
        taps.sent(topic, value);
        if (events.size() == 1) {
          EventEncoding.Encoded event = events.get(0);
          produce(new ProducerRecord<>(event.topic(), null, key, event.value(), List.of(event.contentType())), acked);
          return;
        }
        List<CompletableFuture<RecordMetadata>> all = new ArrayList<>(events.size());
        for (EventEncoding.Encoded event : events) {
          CompletableFuture<RecordMetadata> one = new CompletableFuture<>();
          produce(new ProducerRecord<>(event.topic(), null, key, event.value(), List.of(event.contentType())), one);
          all.add(one);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((done, failed) -> {
          if (failed != null) {
            acked.completeExceptionally(failed instanceof java.util.concurrent.CompletionException c
                && c.getCause() != null ? c.getCause() : failed);
          } else {
            acked.complete(all.get(0).join());
          }
        });
      });
    } catch (RuntimeException rejected) {
      acked.completeExceptionally(new IllegalStateException("publisher is closed", rejected));
    }
    return acked;
  }

  /** Queues an event's work for the next drain, which it schedules unless one is scheduled already. */
  private void gather(Runnable event) {
    if (eventDelay.isZero() || closing) {
      sender.execute(event); // refused once closed: the caller's future fails
      return;
    }
    pendingEvents.add(event);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        sender.schedule(this::drainEvents, eventDelay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RuntimeException rejected) {
        pendingEvents.remove(event);
        drainScheduled.set(false);
        throw rejected;
      }
    }
  }

  /** On the publisher's thread: every gathered event to the producer, in the order sent. */
  private void drainEvents() {
    drainScheduled.set(false); // first: an event gathered from now on schedules the next drain
    for (Runnable event = pendingEvents.poll(); event != null; event = pendingEvents.poll()) {
      event.run();
    }
  }

  /**
   * As {@link #send} for a queue record, completing on the broker's acknowledgement without waiting for the
   * embedded broker's flush: for a record that a later write's flush covers before anyone counts on it (a large
   * body's chunk, flushed with the submission that references it before its 250, so the two share one flush).
   * Returns the written record's partition so the caller can name it in that flush ({@link #durableLog()}).
   */
  public <V extends SpecificRecord> CompletableFuture<RecordMetadata> sendFlushedLater(Topic<V> topic, String key,
      V value) {
    byte[] bytes;
    try {
      bytes = topic.codec().encode(value);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    taps.sent(topic, value);
    return sendRecord(new ProducerRecord<>(topic.name(), key, bytes), false);
  }

  /** Whose flush this publisher's writes wait for (the embedded broker's), or {@link DurableLog#replicated()}. */
  public DurableLog durableLog() {
    return durable;
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

  /**
   * Sends bytes already encoded (replay and poison parking pass records through unchanged); on an event stream
   * with the content-type header their first byte says (JSON or Avro).
   */
  public CompletableFuture<RecordMetadata> sendRaw(String topic, String key, byte[] value) {
    return sendRecord(EventEncoding.isEventStream(topic)
        ? new ProducerRecord<>(topic, null, key, value, List.of(EventEncoding.headerFor(value)))
        : new ProducerRecord<>(topic, key, value));
  }

  /** Every write but an event's ends here: on the publisher's thread, completed by the producer's callback. */
  private CompletableFuture<RecordMetadata> sendRecord(ProducerRecord<String, byte[]> record) {
    return sendRecord(record, true);
  }

  /** @param flush whether the future waits for the embedded broker's flush (where it has one and the topic needs it) */
  private CompletableFuture<RecordMetadata> sendRecord(ProducerRecord<String, byte[]> record, boolean flush) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      sender.execute(() -> produce(record, acked, flush));
    } catch (RuntimeException rejected) {
      acked.completeExceptionally(new IllegalStateException("publisher is closed", rejected));
    }
    return acked;
  }

  /** On the publisher's thread: hands {@code record} to the producer; {@code acked} completes as it says. */
  private void produce(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acked) {
    produce(record, acked, true);
  }

  /** As above; {@code flush}: whether {@code acked} waits for the embedded broker's flush where the topic needs it. */
  private void produce(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acked,
      boolean flush) {
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          acked.completeExceptionally(error);
        } else if (flush && durable.waitsForDisk() && mustReachDisk(record.topic())) {
          // acknowledged by a broker without replicas: done once it is on disk too
          TopicPartition written = new TopicPartition(record.topic(), metadata.partition());
          durable.sync(List.of(written)).whenComplete((ok, failed) -> {
            if (failed != null) {
              acked.completeExceptionally(failed);
            } else {
              acked.complete(metadata);
            }
          });
        } else {
          acked.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
  }

  /**
   * Whether a record of {@code topic} must be on disk before it counts as written: everything that holds mail or
   * admin state; not the tracking and protocol events (losing the last few to a power cut loses no mail, and they
   * are most of the records).
   */
  static boolean mustReachDisk(String topic) {
    return !EventEncoding.isEventStream(topic);
  }

  /** Sends what is batched and waits for it: used before committing offsets at shutdown. */
  public void flush() {
    try {
      sender.submit(this::drainEvents).get(10, TimeUnit.SECONDS); // the gathered events into the producer first
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
      // closed, or stuck behind a blocked send: flush what the producer has
    }
    producer.flush();
  }

  @Override
  public void close() {
    closing = true; // from now on an event goes to the thread at once, or is refused
    sender.shutdown();
    try {
      sender.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainEvents(); // what was gathered still goes, before the producer closes (sending what it batched)
    if (producerMeters != null) {
      producerMeters.close();
    }
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
