package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.EventJson;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ops/analytics' example configurations match the JSON the topics carry: ClickHouse is not installable here, so the
 * Kafka-engine tables' columns are checked against the keys EventJson writes, name for name and in order.
 */
class AnalyticsConfigTest {
  private static final Path ANALYTICS = Path.of("../analytics");
  private static final Pattern COLUMN = Pattern.compile("^\\s*`([a-z-]+)`\\s+\\S", Pattern.MULTILINE);

  /** The backquoted column names of {@code CREATE TABLE name (...)} in {@code sql}. */
  static List<String> columns(String sql, String table) {
    int start = sql.indexOf("CREATE TABLE " + table);
    assertTrue(start >= 0, "no table " + table);
    int open = sql.indexOf('(', start);
    int close = sql.indexOf("\n)", open);
    Matcher m = COLUMN.matcher(sql.substring(open + 1, close));
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void clickHouseKafkaTablesHaveExactlyTheJsonKeys() throws IOException {
    String tracking = Files.readString(ANALYTICS.resolve("clickhouse/tracking.sql"));
    assertEquals(EventJson.keys(TrackingEvent.getClassSchema()), columns(tracking, "mailflow.tracking_queue"));
    assertTrue(tracking.contains("kafka_topic_list = '" + Topics.TRACKING.name() + "'"));
    assertTrue(tracking.contains("kafka_format = 'JSONEachRow'"));

    String protocol = Files.readString(ANALYTICS.resolve("clickhouse/protocol.sql"));
    assertEquals(EventJson.keys(ProtocolEvent.getClassSchema()), columns(protocol, "mailflow.protocol_queue"));
    assertEquals(EventJson.keys(ProtocolEvent.getClassSchema()), columns(protocol, "mailflow.protocol_log"));
    assertTrue(protocol.contains("kafka_topic_list = '" + Topics.PROTOCOL.name() + "'"));
  }

  @Test
  void theMergeTreeTableKeepsEveryTrackingColumnAndTheQueueStateFlattened() throws IOException {
    String tracking = Files.readString(ANALYTICS.resolve("clickhouse/tracking.sql"));
    List<String> expected = new ArrayList<>(EventJson.keys(TrackingEvent.getClassSchema()));
    expected.remove("queue");
    for (String key : EventJson.keys(io.mailflow.schemas.avro.QueueState.getClassSchema())) {
      expected.add("queue-" + key);
    }
    assertEquals(expected, columns(tracking, "mailflow.message_tracking"));
    for (String key : EventJson.keys(io.mailflow.schemas.avro.QueueState.getClassSchema())) {
      assertTrue(tracking.contains("'" + key + "'"), "the view extracts " + key);
    }
  }

  @Test
  void connectSinksReadTheEventTopicsAsText() throws IOException {
    assertEquals(Topics.TRACKING.name(), properties("connect/tracking-file-sink.properties").getProperty("topics"));
    assertEquals(Topics.PROTOCOL.name(), properties("connect/protocol-file-sink.properties").getProperty("topics"));
    assertEquals("org.apache.kafka.connect.storage.StringConverter",
        properties("connect/connect-standalone.properties").getProperty("value.converter"));
  }

  private static Properties properties(String file) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(ANALYTICS.resolve(file))) {
      p.load(in);
    }
    return p;
  }
}
