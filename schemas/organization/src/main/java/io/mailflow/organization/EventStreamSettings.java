package io.mailflow.organization;

/**
 * EventStreamSettings - how the two event streams other tools read (message tracking on mail.tracking.v1, the
 * protocol log on mail.protocol.v1) are encoded. Exchange has no such setting: its logs are files; these streams
 * are mailflow's way to the same events at cluster scale.
 *
 * @param trackingEventFormat the encoding of tracking events (default {@link EventFormat#Json}: kcat, jq, Kafka
 *     Connect, ClickHouse read them with no mailflow code)
 * @param protocolEventFormat the encoding of protocol-log events (default {@link EventFormat#Json})
 */
public record EventStreamSettings(EventFormat trackingEventFormat, EventFormat protocolEventFormat) {
  /**
   * EventFormat - Avro: Avro single-object encoding on the topic (smallest; needs mailflow's schemas to read);
   * Json: one JSON object per record with Exchange's field names (what standard tools read); Both: Avro on the
   * topic and the JSON form besides it, on the topic's {@code .json} twin.
   */
  public enum EventFormat { Avro, Json, Both }

  public EventStreamSettings {
    if (trackingEventFormat == null) {
      trackingEventFormat = EventFormat.Json;
    }
    if (protocolEventFormat == null) {
      protocolEventFormat = EventFormat.Json;
    }
  }

  /** JSON for both streams. */
  public static EventStreamSettings defaults() {
    return new EventStreamSettings(EventFormat.Json, EventFormat.Json);
  }
}
