package io.mailflow.edge.server;

import io.mailflow.kafka.DurableLogs;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.KafkaClientMeters;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * KafkaEdgeWiring - the edge's Kafka side in one place: submissions go through a transactional
 * {@link SubmissionWriter} (a 250 only after the commit; a message whose client was told 4xx is never written),
 * large bodies and the protocol and tracking events through one plain producer (acks=all, idempotent: an
 * orphan body chunk or an event is harmless). Create it, hand its two parts to {@link SmtpEdge#start}, close it
 * after the edge.
 */
public final class KafkaEdgeWiring implements AutoCloseable {
  private final TopicPublisher publisher;
  private final SubmissionWriter writer;
  private final SubmissionPublisher submissions;
  private final EdgeEvents events;
  private final boolean owned;

  private KafkaEdgeWiring(TopicPublisher publisher, SubmissionWriter writer, boolean owned) {
    this.publisher = publisher;
    this.writer = writer;
    this.owned = owned;
    this.submissions = writer == null
        ? new KafkaSubmissionPublisher(publisher) : new TransactionalSubmissionPublisher(writer, publisher);
    this.events = new KafkaEdgeEvents(publisher);
  }

  /**
   * The edge's producers for {@code bootstrapServers}: a plain one ({@code clientId}) and the transactional
   * submission writer ({@code clientId}-submission). {@code transactionalId} must stay the same across restarts
   * of the same edge and differ between edges: a restarted edge then fences its predecessor and ends the
   * transaction it left open at once (read_committed categorizers would otherwise wait up to
   * transaction.timeout.ms, 10 s, behind it); two live edges with one id fence each other (logged as such).
   * {@code meters} (may be null) gets the plain producer's metrics (tag stage=edge) and the submission
   * producer's (stage=edge-submission).
   */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId, String transactionalId,
      MeterRegistry meters) {
    return create(bootstrapServers, clientId, transactionalId, meters, EventEncoding.defaults());
  }

  /**
   * As {@link #create(String, String, String, MeterRegistry)}, the plain producer writing tracking and protocol-log
   * events as {@code encoding} says (the organization's trackingEventFormat and protocolEventFormat).
   */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId, String transactionalId,
      MeterRegistry meters, EventEncoding encoding) {
    if (transactionalId == null || transactionalId.isBlank()) {
      throw new IllegalArgumentException("the edge's transactional id must not be empty");
    }
    TopicPublisher plain = meters == null
        ? TopicPublisher.create(bootstrapServers, clientId, encoding)
        : TopicPublisher.create(bootstrapServers, clientId, "edge", meters, encoding);
    String submissionClient = clientId + "-submission";
    SubmissionWriter writer = new SubmissionWriter(new MeteredProducers(
        () -> new KafkaProducer<>(KafkaClientConfig.transactionalProducer(bootstrapServers, submissionClient,
            transactionalId)), meters),
        CommitOutcome.reading(bootstrapServers, clientId + "-commit-outcome"), Topics.SUBMISSION.name(),
        transactionalId, DurableLogs.forBootstrap(bootstrapServers));
    return new KafkaEdgeWiring(plain, writer, true);
  }

  /** As {@link #create(String, String, String, MeterRegistry)} with {@code clientId} as transactional id. */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId) {
    return create(bootstrapServers, clientId, clientId, null);
  }

  /** As {@link #create(String, String, String, MeterRegistry)} with {@code clientId} as transactional id. */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId, MeterRegistry meters) {
    return create(bootstrapServers, clientId, clientId, meters);
  }

  /**
   * Over a plain publisher someone else owns (its close is then theirs): submissions are plain writes, so a
   * message whose client timed out with 452 may still be written later. For tools and tests, not the edge.
   */
  public static KafkaEdgeWiring over(TopicPublisher publisher) {
    return new KafkaEdgeWiring(publisher, null, false);
  }
  /**
   * The plain publisher the edge's protocol and tracking events (RECEIVE, including those of transactional
   * submissions) go through: ops/cli's Node sets up message tracking on it (messageTrackingLogEnabled, the MSGTRK
   * file's tap).
   */
  public TopicPublisher publisher() {
    return publisher;
  }


  /** The writer's producers, their Kafka client metrics bound while they live (a new producer after a failure). */
  private record MeteredProducers(Supplier<Producer<String, byte[]>> make,
      MeterRegistry meters, Map<Object, KafkaClientMetrics> bound) implements SubmissionWriter.Producers {
    MeteredProducers(Supplier<Producer<String, byte[]>> make,
        MeterRegistry meters) {
      this(make, meters, new ConcurrentHashMap<>());
    }

    @Override
    public Producer<String, byte[]> open() {
      Producer<String, byte[]> p = make.get();
      if (meters != null) {
        bound.put(p, KafkaClientMeters.bind(p, "edge-submission", meters));
      }
      return p;
    }

    @Override
    public void closing(Producer<String, byte[]> producer) {
      KafkaClientMetrics binder = bound.remove(producer);
      if (binder != null) {
        binder.close();
      }
    }
  }

  public SubmissionPublisher submissions() {
    return submissions;
  }

  public EdgeEvents events() {
    return events;
  }

  /**
   * Closes what it created, after {@link SmtpEdge#close()}: the submission writer (waits for a commit in
   * progress), then the plain producer (sending what is batched).
   */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
    if (owned) {
      publisher.close();
    }
  }
}
