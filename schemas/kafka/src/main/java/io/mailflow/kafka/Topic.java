package io.mailflow.kafka;

import io.mailflow.schemas.codec.AvroCodec;
import org.apache.avro.specific.SpecificRecord;

/**
 * Topic - a named Kafka topic with the value type every record on it carries.
 *
 * <p>Keys are strings on every mailflow topic (network message id, next-hop key, session id); values
 * are Avro single-object encoded, except on the event streams (tracking, protocol log), which carry Avro or JSON
 * as {@link EventEncoding} says and whose codec reads both. Stages refer to topics through {@link Topics}, never by bare name.
 *
 * @param kind how the topic is created: a work queue, an event log or a compacted state topic
 */
public record Topic<V extends SpecificRecord>(String name, AvroCodec<V> codec, Kind kind) {

  public enum Kind {
    /** Mail waiting for a stage: partitioned by config, retained past delivery for replay (Safety Net). */
    QUEUE,
    /** Events for analytics and queue views: partitioned like queues, retained like them. */
    EVENTS,
    /** Admin state: latest value per key wins. */
    COMPACTED,
    /**
     * Chunks of large bodies (claim checks): retained as long as any queue may still point at them,
     * i.e. a message's whole life in retry (expiry, 2 days) plus the Safety Net after it (2 days).
     */
    BODIES
  }

  public static <V extends SpecificRecord> Topic<V> of(String name, Class<V> type, Kind kind) {
    return new Topic<>(name, AvroCodec.of(type), kind);
  }

  /**
   * An event stream other tools read (message tracking, protocol log): its codec decodes Avro and the JSON form
   * alike ({@link AvroCodec#ofEvents}), and {@link TopicPublisher} writes what the organization's setting chose
   * ({@link EventEncoding}).
   */
  public static <V extends SpecificRecord> Topic<V> events(String name, Class<V> type) {
    return new Topic<>(name, AvroCodec.ofEvents(type), Kind.EVENTS);
  }

  @Override
  public String toString() {
    return name;
  }
}
