package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.EventStreamSettings;
import io.mailflow.organization.EventStreamSettings.EventFormat;
import io.mailflow.organization.MessageTrackingLogSettings;
import io.mailflow.organization.SendProtocolLogSettings;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event streams on a real broker: the setting chooses what the topic holds (JSON, Avro, Avro plus the JSON twin),
 * every record says so in its content-type header, one codec reads all of it; and the topics' retention follows
 * Exchange's log limits, at creation and when they change.
 */
class EventStreamsIT {
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static String bootstrap;
  private static Admin admin;

  @BeforeAll
  static void start() {
    // a broker of its own: these tests alter the event topics' configuration and create the twins
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    bootstrap = kafka.bootstrapServers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static TransportService service(EventFormat tracking, EventFormat protocol, Duration trackingAge, long trackingSize,
      Duration receiveAge, long receiveSize, Duration sendAge, long sendSize) {
    TransportService d = TransportService.defaults();
    return new TransportService(d.receiveProtocolLogPath(), d.receiveProtocolLogMaxFileSize(), receiveSize, receiveAge,
        d.maxOutboundConnections(), d.maxPerDomainOutboundConnections(), d.smtpMaxMessagesPerConnection(),
        d.delayNotificationTimeout(), d.transientFailureRetryAttempts(), d.transientFailureRetryInterval(),
        d.outboundConnectionFailureRetryInterval(), d.messageRetryInterval(), d.messageExpirationTimeout(),
        d.poisonThreshold(), d.backPressure(),
        new MessageTrackingLogSettings(true, null, trackingAge, trackingSize, MessageTrackingLogSettings.DEFAULT_MAX_FILE_SIZE, true),
        new SendProtocolLogSettings(null, sendAge, sendSize, SendProtocolLogSettings.DEFAULT_MAX_FILE_SIZE),
        new EventStreamSettings(tracking, protocol), d.flushToDiskBeforeAcknowledge());
  }

  static TrackingEvent event(String id) {
    return TrackingEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T20:51:08.123Z")).setSource("SMTP")
        .setEventId("RECEIVE").setNetworkMessageId(id).setSenderAddress("carol@example.com")
        .setRecipientAddress(List.of("alice@contoso.test")).setRecipientCount(1)
        .setQueue(QueueState.newBuilder().setIdentity("q").setStatus("Retry").build()).build();
  }

  static ProtocolEvent protocolEvent(String session) {
    return ProtocolEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T20:51:08.123Z")).setConnectorId("c")
        .setSessionId(session).setSequenceNumber(0).setLocalEndpoint("127.0.0.1:25")
        .setRemoteEndpoint("127.0.0.1:5000").setEvent("+").build();
  }

  /** Every record of {@code topic} with key {@code key}, read raw. */
  static List<ConsumerRecord<String, byte[]>> records(String topic, String key, int expected) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (found.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(r.key())) {
            found.add(r);
          }
        }
      }
    }
    return found;
  }

  static String contentType(ConsumerRecord<String, byte[]> r) {
    Header h = r.headers().lastHeader(EventEncoding.CONTENT_TYPE);
    return h == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
  }

  static Map<String, String> retention(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    Map<String, String> r = new HashMap<>();
    r.put("retention.ms", config.get("retention.ms").value());
    r.put("retention.bytes", config.get("retention.bytes").value());
    return r;
  }

  static Set<String> topics() throws Exception {
    return admin.listTopics().names().get(30, TimeUnit.SECONDS);
  }

  @Test
  void jsonAvroAndBothWriteWhatTheySayAndOneCodecReadsItAll() throws Exception {
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30),
        EventStreamTopics.of(service(EventFormat.Both, EventFormat.Both, Duration.ofDays(30), 1L << 30,
            Duration.ofDays(30), 1L << 28, Duration.ofDays(30), 1L << 28)));
    String id = UUID.randomUUID().toString();
    try (TopicPublisher json = TopicPublisher.create(bootstrap, "events-json");
        TopicPublisher avro = TopicPublisher.create(bootstrap, "events-avro",
            new EventEncoding(EventFormat.Avro, EventFormat.Avro));
        TopicPublisher both = TopicPublisher.create(bootstrap, "events-both",
            new EventEncoding(EventFormat.Both, EventFormat.Both))) {
      assertEquals(EventFormat.Json, json.encoding().tracking(), "JSON unless told otherwise");
      json.track(event(id)).get(30, TimeUnit.SECONDS);
      avro.track(event(id)).get(30, TimeUnit.SECONDS);
      both.track(event(id)).get(30, TimeUnit.SECONDS);
      both.send(Topics.PROTOCOL, id, protocolEvent(id)).get(30, TimeUnit.SECONDS);
      // a parked record resubmitted unchanged: its header is told by its bytes
      json.sendRaw(Topics.TRACKING.name(), id, Topics.TRACKING.codec().encodeJson(event(id))).get(30, TimeUnit.SECONDS);
    }

    List<ConsumerRecord<String, byte[]>> onTopic = records(Topics.TRACKING.name(), id, 4);
    assertEquals(4, onTopic.size());
    List<String> types = onTopic.stream().map(EventStreamsIT::contentType).sorted().toList();
    assertEquals(List.of(EventEncoding.JSON, EventEncoding.JSON, EventEncoding.AVRO, EventEncoding.AVRO), types);
    for (ConsumerRecord<String, byte[]> r : onTopic) {
      byte first = r.value()[0];
      assertEquals(EventEncoding.JSON.equals(contentType(r)) ? (byte) '{' : (byte) 0xC3, first, "header says what it is");
      TrackingEvent decoded = Topics.TRACKING.codec().decode(r.value());
      assertEquals(event(id), decoded, "one codec reads JSON and Avro alike");
    }
    String jsonText = new String(onTopic.stream().filter(r -> r.value()[0] == '{').findFirst().orElseThrow().value(),
        StandardCharsets.UTF_8);
    assertTrue(jsonText.contains("\"network-message-id\":\"" + id + "\""), jsonText);
    assertTrue(jsonText.contains("\"recipient-address\":[\"alice@contoso.test\"]"), jsonText);

    List<ConsumerRecord<String, byte[]>> twin = records(Topics.TRACKING_JSON.name(), id, 1);
    assertEquals(1, twin.size(), "Both: the JSON twin has the event once");
    assertEquals(EventEncoding.JSON, contentType(twin.get(0)));
    assertEquals(event(id), Topics.TRACKING_JSON.codec().decode(twin.get(0).value()));

    List<ConsumerRecord<String, byte[]>> protocol = records(Topics.PROTOCOL.name(), id, 1);
    assertEquals(EventEncoding.AVRO, contentType(protocol.get(0)));
    List<ConsumerRecord<String, byte[]>> protocolTwin = records(Topics.PROTOCOL_JSON.name(), id, 1);
    assertEquals(EventEncoding.JSON, contentType(protocolTwin.get(0)));
    assertEquals(protocolEvent(id), Topics.PROTOCOL.codec().decode(protocolTwin.get(0).value()));

    // other topics keep plain Avro and no header
    assertFalse(EventEncoding.isEventStream(Topics.SUBMISSION.name()));
  }

  @Test
  void retentionFollowsExchangesLogLimitsAtCreationAndWhenTheyChange() throws Exception {
    // a second, fresh broker: nothing created yet, JSON only, so no twin
    try (EmbeddedKafka fresh = EmbeddedKafka.start(dir.resolve("fresh"), 0);
        Admin freshAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fresh.bootstrapServers()))) {
      List<String> lines = TopicProvisioner.ensureTopics(fresh.bootstrapServers(), 4, (short) 1,
          Duration.ofSeconds(30), EventStreamTopics.defaults());
      assertEquals(List.of(), lines, "created with the right values: nothing to alter");
      Set<String> names = freshAdmin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertFalse(names.contains(Topics.TRACKING_JSON.name()), "no twin unless a format is Both");
      assertFalse(names.contains(Topics.PROTOCOL_JSON.name()));
      ConfigResource tracking = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TRACKING.name());
      ConfigResource protocol = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PROTOCOL.name());
      Map<ConfigResource, Config> configs = freshAdmin.describeConfigs(List.of(tracking, protocol)).all()
          .get(30, TimeUnit.SECONDS);
      assertEquals(String.valueOf(Duration.ofDays(30).toMillis()), configs.get(tracking).get("retention.ms").value(),
          "messageTrackingLogMaxAge 30 days");
      assertEquals(String.valueOf(1000L * 1024 * 1024 / 4), configs.get(tracking).get("retention.bytes").value(),
          "messageTrackingLogMaxDirectorySize 1000 MB over 4 partitions");
      assertEquals(String.valueOf(Duration.ofDays(30).toMillis()), configs.get(protocol).get("retention.ms").value());
      assertEquals(String.valueOf(250L * 1024 * 1024 / 4), configs.get(protocol).get("retention.bytes").value());
    }
  }

  @Test
  void anExistingTopicIsAlteredWhenTheSettingChangesAndLoggedOnce() throws Exception {
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30), EventStreamTopics.defaults());
    // an old topic: two days, as mailflow created it before
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TRACKING.name());
    admin.incrementalAlterConfigs(Map.of(resource, List.of(
        new AlterConfigOp(new ConfigEntry("retention.ms", String.valueOf(Duration.ofDays(2).toMillis())),
            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);

    // 0 = keep forever; protocol: receive 10 days / 100 MB, send 0 (forever) / 300 MB: the larger of each wins
    EventStreamTopics changed = EventStreamTopics.of(service(EventFormat.Json, EventFormat.Json, Duration.ZERO,
        Long.MAX_VALUE, Duration.ofDays(10), 100L << 20, Duration.ZERO, 300L << 20));
    List<String> lines = TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30), changed);
    assertEquals(Map.of("retention.ms", "-1", "retention.bytes", "-1"), retention(Topics.TRACKING.name()));
    assertEquals(Map.of("retention.ms", "-1", "retention.bytes", String.valueOf((300L << 20) / 2)),
        retention(Topics.PROTOCOL.name()));
    assertTrue(lines.contains("INFO mail.tracking.v1: retention.ms 172800000 -> -1 (messageTrackingLogMaxAge 0 (forever)),"
        + " retention.bytes " + 1000L * 1024 * 1024 / 2 + " -> -1 (messageTrackingLogMaxDirectorySize unlimited)"), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("INFO mail.protocol.v1: retention.ms 2592000000 -> -1 "
        + "(sendProtocolLogMaxAge 0 (forever)), retention.bytes 131072000 -> 157286400 "
        + "(sendProtocolLogMaxDirectorySize 314572800 bytes over 2 partitions)")), lines.toString());

    assertEquals(List.of(), TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30), changed),
        "a start with the same settings changes nothing and says nothing");
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30), EventStreamTopics.defaults());
    assertEquals(String.valueOf(Duration.ofDays(30).toMillis()), retention(Topics.TRACKING.name()).get("retention.ms"));
  }

  @Test
  void aClusterRefusingTheAlterIsOneWarningAndTheStartGoesOn() throws Exception {
    // A real refusal from the broker (here: the topic is not there to alter; a cluster without the ALTER_CONFIGS
    // permission answers the same call with TopicAuthorizationException on the same path).
    List<String> lines = TopicProvisioner.applyRetention(admin, List.of(Topics.TRACKING_JSON.name() + "-gone"),
        EventStreamTopics.defaults(), Duration.ofSeconds(10));
    assertEquals(List.of(), lines, "not an event topic: nothing to do");

    String gone = Topics.PROTOCOL_JSON.name();
    if (topics().contains(gone)) {
      admin.deleteTopics(List.of(gone)).all().get(30, TimeUnit.SECONDS);
    }
    lines = TopicProvisioner.applyRetention(admin, List.of(gone), EventStreamTopics.defaults(), Duration.ofSeconds(10));
    assertEquals(1, lines.size(), lines.toString());
    String warn = lines.get(0);
    assertTrue(warn.startsWith("WARN mail.protocol.json.v1: cannot set retention.ms 2592000000, retention.bytes "),
        warn);
    assertTrue(warn.contains("(receiveProtocolLogMaxAge, receiveProtocolLogMaxDirectorySize): "
        + "UnknownTopicOrPartitionException"), warn);
    assertNotNull(topics());
  }
}
