package io.mailflow.kafka;

import io.mailflow.kafka.Topic.Kind;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;

/** Topics - the registry of every mailflow topic (see ARCHITECTURE.md, "Topics (v1)"). */
public final class Topics {
  private Topics() {}

  /** Accepted messages, keyed by network message id: the Submission queue. */
  public static final Topic<SubmittedMessage> SUBMISSION =
      Topic.of("mail.submission.v1", SubmittedMessage.class, Kind.QUEUE);

  /** Resolved, bifurcated copies, keyed by network message id. */
  public static final Topic<CategorizedMessage> CATEGORIZED =
      Topic.of("mail.categorized.v1", CategorizedMessage.class, Kind.QUEUE);

  /** Routed copies keyed by next-hop key: the delivery queues. */
  public static final Topic<DeliveryItem> DELIVERY =
      Topic.of("mail.delivery.v1", DeliveryItem.class, Kind.QUEUE);

  /** Delayed retries, keyed by next-hop key. */
  public static final Topic<DeliveryItem> RETRY_1M = Topic.of("mail.retry.1m.v1", DeliveryItem.class, Kind.QUEUE);
  public static final Topic<DeliveryItem> RETRY_5M = Topic.of("mail.retry.5m.v1", DeliveryItem.class, Kind.QUEUE);
  public static final Topic<DeliveryItem> RETRY_15M = Topic.of("mail.retry.15m.v1", DeliveryItem.class, Kind.QUEUE);
  public static final Topic<DeliveryItem> RETRY_1H = Topic.of("mail.retry.1h.v1", DeliveryItem.class, Kind.QUEUE);

  /** Chunks of messages too large to ride inline, keyed by body id (see BodyReference). */
  public static final Topic<BodyChunk> BODIES = Topic.of("mail.bodies.v1", BodyChunk.class, Kind.BODIES);

  /**
   * Message tracking events, keyed by network message id: JSON (Exchange's field names), Avro, or Avro with the
   * JSON beside it on {@link #TRACKING_JSON}, as transportService.trackingEventFormat says ({@link EventEncoding}).
   * Its codec reads both forms.
   */
  public static final Topic<TrackingEvent> TRACKING = Topic.events("mail.tracking.v1", TrackingEvent.class);

  /** SMTP protocol-log events, keyed by session id; encoded as transportService.protocolEventFormat says. */
  public static final Topic<ProtocolEvent> PROTOCOL = Topic.events("mail.protocol.v1", ProtocolEvent.class);

  /** The JSON twin of {@link #TRACKING} when trackingEventFormat is Both; created only then. */
  public static final Topic<TrackingEvent> TRACKING_JSON = Topic.events("mail.tracking.json.v1", TrackingEvent.class);

  /** The JSON twin of {@link #PROTOCOL} when protocolEventFormat is Both; created only then. */
  public static final Topic<ProtocolEvent> PROTOCOL_JSON = Topic.events("mail.protocol.json.v1", ProtocolEvent.class);

  /** Admin state (site down, queue suspended ...), compacted: the latest record per key is the state. */
  public static final Topic<ControlRecord> CONTROL = Topic.of("mail.control.v1", ControlRecord.class, Kind.COMPACTED);

  /** Records a stage could not decode or process, with the reason. */
  public static final Topic<PoisonRecord> POISON = Topic.of("mail.poison.v1", PoisonRecord.class, Kind.EVENTS);

  /** Every topic mailflow creates at start. */
  public static List<Topic<?>> all() {
    return List.of(SUBMISSION, CATEGORIZED, DELIVERY, RETRY_1M, RETRY_5M, RETRY_15M, RETRY_1H,
        BODIES, TRACKING, PROTOCOL, CONTROL, POISON);
  }

  /** The JSON twin of an event stream ({@link #TRACKING} → {@link #TRACKING_JSON}), or null for other topics. */
  public static Topic<?> jsonTwin(Topic<?> topic) {
    if (topic == TRACKING) {
      return TRACKING_JSON;
    }
    return topic == PROTOCOL ? PROTOCOL_JSON : null;
  }

  /** The topic of that name, for tools that take a name from the user (the JSON twins included). */
  public static Topic<?> named(String name) {
    return java.util.stream.Stream.concat(all().stream(), java.util.stream.Stream.of(TRACKING_JSON, PROTOCOL_JSON)).filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no mailflow topic named '" + name + "'"));
  }
}
