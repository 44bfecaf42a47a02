package io.mailflow.kafka;

import io.mailflow.organization.MessageTrackingLogSettings;
import io.mailflow.organization.SendProtocolLogSettings;
import io.mailflow.organization.TransportService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * EventStreamTopics - what the organization's transportService says about the two event-stream topics: their
 * encoding (which JSON twins exist, {@link EventEncoding}) and their retention, which follows Exchange's log limits
 * as the files do:
 * <ul>
 *   <li>{@code mail.tracking.v1}: {@code retention.ms} = messageTrackingLogMaxAge (30 days; 0 keeps events forever:
 *       -1), {@code retention.bytes} = messageTrackingLogMaxDirectorySize (1000 MB) divided among the partitions
 *       (Kafka's limit is per partition);</li>
 *   <li>{@code mail.protocol.v1}: the larger of receiveProtocolLogMaxAge and sendProtocolLogMaxAge (both 30 days),
 *       and of receiveProtocolLogMaxDirectorySize and sendProtocolLogMaxDirectorySize (both 250 MB);</li>
 *   <li>a JSON twin as its topic.</li>
 * </ul>
 *
 * @param encoding how the streams are written
 * @param tracking the tracking topic's limits
 * @param protocol the protocol topic's limits
 */
public record EventStreamTopics(EventEncoding encoding, Retention tracking, Retention protocol) {

  /**
   * Retention - how old and how big an event topic may grow, and the settings that said so (for the log line).
   *
   * @param maxAge {@code ZERO}: kept whatever their age
   * @param maxBytes over all partitions; {@code Long.MAX_VALUE}: unlimited
   */
  public record Retention(Duration maxAge, long maxBytes, String ageSetting, String sizeSetting) {
    /** Kafka's {@code retention.ms}: the age in milliseconds, or -1 (forever) for 0. */
    public long retentionMs() {
      return maxAge.isZero() ? -1 : maxAge.toMillis();
    }

    /** Kafka's {@code retention.bytes} for one of {@code partitions} partitions, or -1 (unlimited). */
    public long retentionBytes(int partitions) {
      return maxBytes == Long.MAX_VALUE ? -1 : Math.max(1, maxBytes / Math.max(1, partitions));
    }

    /** The two topic settings for a topic of {@code partitions} partitions. */
    public Map<String, String> config(int partitions) {
      Map<String, String> c = new LinkedHashMap<>();
      c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMs()));
      c.put(TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(retentionBytes(partitions)));
      return c;
    }

    /** What each Kafka setting comes from, as an admin reads it: "messageTrackingLogMaxAge 30 days". */
    public String because(String kafkaSetting, int partitions) {
      if (kafkaSetting.equals(TopicConfig.RETENTION_MS_CONFIG)) {
        return ageSetting + " " + (maxAge.isZero() ? "0 (forever)" : age(maxAge));
      }
      return sizeSetting + " " + (maxBytes == Long.MAX_VALUE ? "unlimited" : maxBytes + " bytes over " + partitions
          + (partitions == 1 ? " partition" : " partitions"));
    }

    private static String age(Duration d) {
      if (d.toDaysPart() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
        return d.toDays() + (d.toDays() == 1 ? " day" : " days");
      }
      if (d.equals(Duration.ofHours(d.toHours()))) {
        return d.toHours() + " h";
      }
      return d.toSeconds() + " s";
    }
  }

  public EventStreamTopics {
    encoding = encoding == null ? EventEncoding.defaults() : encoding;
  }

  /** From the organization's transportService. */
  public static EventStreamTopics of(TransportService service) {
    MessageTrackingLogSettings tracking = service.messageTracking();
    SendProtocolLogSettings send = service.sendProtocolLog();
    Duration receiveAge = service.receiveProtocolLogMaxAge();
    // The larger age wins; 0 (forever) is larger than any.
    boolean receiveAgeWins = receiveAge.isZero() || !send.maxAge().isZero() && receiveAge.compareTo(send.maxAge()) >= 0;
    boolean receiveSizeWins = service.receiveProtocolLogMaxDirectorySize() >= send.maxDirectorySize();
    return new EventStreamTopics(EventEncoding.of(service.eventStreams()),
        new Retention(tracking.maxAge(), tracking.maxDirectorySize(), "messageTrackingLogMaxAge",
            "messageTrackingLogMaxDirectorySize"),
        new Retention(receiveAgeWins ? receiveAge : send.maxAge(),
            receiveSizeWins ? service.receiveProtocolLogMaxDirectorySize() : send.maxDirectorySize(),
            receiveAgeWins ? "receiveProtocolLogMaxAge" : "sendProtocolLogMaxAge",
            receiveSizeWins ? "receiveProtocolLogMaxDirectorySize" : "sendProtocolLogMaxDirectorySize"));
  }

  /** Exchange's defaults: 30 days and 1000 MB for tracking, 30 days and 250 MB for the protocol log; JSON. */
  public static EventStreamTopics defaults() {
    return of(TransportService.defaults());
  }

  /** The limits of an event topic or its twin, or null for other topics. */
  public Retention retentionOf(String topic) {
    if (topic.equals(Topics.TRACKING.name()) || topic.equals(Topics.TRACKING_JSON.name())) {
      return tracking;
    }
    if (topic.equals(Topics.PROTOCOL.name()) || topic.equals(Topics.PROTOCOL_JSON.name())) {
      return protocol;
    }
    return null;
  }
}
