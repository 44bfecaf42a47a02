package io.mailflow.kafka;

/** RecordOrigin - where a consumed record came from, for logs, tracking references and poison reports. */
public record RecordOrigin(String topic, int partition, long offset, long timestamp) {
  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
