package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * KafkaEdgeWiring - the edge's Kafka side in one place: one producer shared by the submission
 * publisher and the event writer. Create it, hand its two parts to {@link SmtpEdge#start}, close it
 * after the edge.
 */
public final class KafkaEdgeWiring implements AutoCloseable {
  private final TopicPublisher publisher;
  private final SubmissionPublisher submissions;
  private final EdgeEvents events;
  private final boolean owned;

  private KafkaEdgeWiring(TopicPublisher publisher, boolean owned) {
    this.publisher = publisher;
    this.owned = owned;
    this.submissions = new KafkaSubmissionPublisher(publisher);
    this.events = new KafkaEdgeEvents(publisher);
  }

  /** A producer with mailflow's defaults (acks=all, idempotent) for {@code bootstrapServers}. */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId) {
    return new KafkaEdgeWiring(TopicPublisher.create(bootstrapServers, clientId), true);
  }

  /** As {@link #create(String, String)}, with the producer's metrics in {@code meters} (tag stage=edge). */
  public static KafkaEdgeWiring create(String bootstrapServers, String clientId, MeterRegistry meters) {
    return new KafkaEdgeWiring(TopicPublisher.create(bootstrapServers, clientId, "edge", meters), true);
  }

  /** Over a publisher someone else owns (its close is then theirs, not this wiring's). */
  public static KafkaEdgeWiring over(TopicPublisher publisher) {
    return new KafkaEdgeWiring(publisher, false);
  }

  public SubmissionPublisher submissions() {
    return submissions;
  }

  public EdgeEvents events() {
    return events;
  }

  /** Closes the producer it created (sending what is batched): call after {@link SmtpEdge#close()}. */
  @Override
  public void close() {
    if (owned) {
      publisher.close();
    }
  }
}
