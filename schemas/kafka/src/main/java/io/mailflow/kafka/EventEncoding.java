package io.mailflow.kafka;

import io.mailflow.organization.EventStreamSettings;
import io.mailflow.organization.EventStreamSettings.EventFormat;
import io.mailflow.organization.Organization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * EventEncoding - how {@link TopicPublisher} writes the two event streams other tools read, from the organization's
 * transportService.trackingEventFormat and protocolEventFormat ({@link EventStreamSettings}):
 * <ul>
 *   <li>{@code Avro}: Avro single-object encoding on the topic (smallest; needs mailflow's schemas);</li>
 *   <li>{@code Json} (default): one JSON object per record, Exchange's field names ({@code EventJson}) — kcat, jq,
 *       ClickHouse, Kafka Connect read it as it is;</li>
 *   <li>{@code Both}: Avro on the topic and the same event as JSON on its twin ({@link Topics#jsonTwin}).</li>
 * </ul>
 * Every event record carries the header {@value #CONTENT_TYPE}: {@value #JSON} or {@value #AVRO}. Whatever was
 * chosen, every reader decodes both forms ({@code Topics.TRACKING.codec().decode}), so a change of setting needs no
 * change of reader, and a topic holding both (records written before and after the change) reads as one.
 *
 * @param tracking the encoding of {@link Topics#TRACKING}
 * @param protocol the encoding of {@link Topics#PROTOCOL}
 */
public record EventEncoding(EventFormat tracking, EventFormat protocol) {
  /** The record header naming the value's encoding. */
  public static final String CONTENT_TYPE = "content-type";
  /** {@value #CONTENT_TYPE} of a JSON event. */
  public static final String JSON = "application/json";
  /** {@value #CONTENT_TYPE} of an Avro single-object encoded event. */
  public static final String AVRO = "application/vnd.mailflow.avro";

  private static final Header JSON_HEADER = new RecordHeader(CONTENT_TYPE, JSON.getBytes(StandardCharsets.US_ASCII));
  private static final Header AVRO_HEADER = new RecordHeader(CONTENT_TYPE, AVRO.getBytes(StandardCharsets.US_ASCII));

  public EventEncoding {
    tracking = tracking == null ? EventFormat.Json : tracking;
    protocol = protocol == null ? EventFormat.Json : protocol;
  }

  /** JSON on both streams: what a publisher writes when nobody says otherwise. */
  public static EventEncoding defaults() {
    return new EventEncoding(EventFormat.Json, EventFormat.Json);
  }

  /** As the settings say. */
  public static EventEncoding of(EventStreamSettings settings) {
    return settings == null ? defaults() : new EventEncoding(settings.trackingEventFormat(), settings.protocolEventFormat());
  }

  /** As the organization's transportService says. */
  public static EventEncoding of(Organization organization) {
    return of(organization.transportService().eventStreams());
  }

  /** The format chosen for {@code topic}, or null when it is not one of the two event streams. */
  public EventFormat formatOf(Topic<?> topic) {
    if (topic == Topics.TRACKING) {
      return tracking;
    }
    return topic == Topics.PROTOCOL ? protocol : null;
  }

  /** The JSON twins these settings need ({@code Both}): the topics to create besides {@link Topics#all()}. */
  public List<Topic<?>> twins() {
    List<Topic<?>> twins = new ArrayList<>(2);
    if (tracking == EventFormat.Both) {
      twins.add(Topics.TRACKING_JSON);
    }
    if (protocol == EventFormat.Both) {
      twins.add(Topics.PROTOCOL_JSON);
    }
    return twins;
  }

  /** One encoded event: the value for a topic, and the header saying what it is. */
  record Encoded(String topic, byte[] value, Header contentType) {}

  /**
   * The records {@code value} becomes on {@code topic}: one, or two with {@code Both} (Avro on the topic, JSON on
   * the twin), the topic's own first; null when {@code topic} is not an event stream (written as Avro, no header).
   */
  <V extends SpecificRecord> List<Encoded> encode(Topic<V> topic, V value) {
    EventFormat format = formatOf(topic);
    if (format == null) {
      return null;
    }
    return switch (format) {
      case Json -> List.of(new Encoded(topic.name(), topic.codec().encodeJson(value), JSON_HEADER));
      case Avro -> List.of(new Encoded(topic.name(), topic.codec().encode(value), AVRO_HEADER));
      case Both -> List.of(new Encoded(topic.name(), topic.codec().encode(value), AVRO_HEADER),
          new Encoded(Topics.jsonTwin(topic).name(), topic.codec().encodeJson(value), JSON_HEADER));
    };
  }

  /** The {@value #CONTENT_TYPE} header of bytes already encoded for an event stream, told by their first byte. */
  static Header headerFor(byte[] value) {
    return value != null && io.mailflow.schemas.codec.AvroCodec.isJson(value) ? JSON_HEADER : AVRO_HEADER;
  }

  /** Whether {@code topic} names an event stream or its twin (whose records carry {@value #CONTENT_TYPE}). */
  static boolean isEventStream(String topic) {
    return topic.equals(Topics.TRACKING.name()) || topic.equals(Topics.PROTOCOL.name())
        || topic.equals(Topics.TRACKING_JSON.name()) || topic.equals(Topics.PROTOCOL_JSON.name());
  }
}
