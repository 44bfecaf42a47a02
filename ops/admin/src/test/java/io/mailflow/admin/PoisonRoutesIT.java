package io.mailflow.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.PoisonParking;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The poison message queue over real HTTP against the embedded broker: a record a real StageLoop parked is listed,
 * resubmitted (its bytes back on its topic, the decision on mail.control.v1, the audit on mail.tracking.v1),
 * refused a second time without force, deleted and hidden; and the 400/401/403/404/409/503 answers, which write
 * nothing.
 */
class PoisonRoutesIT {
  private static final String PASSWORD = "correct horse";
  private static final String VIEWER_PASSWORD = "just looking";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final StageLoop.Options FAST = StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(50));

  private static Vertx vertx;
  private static String bootstrap;
  private static List<Administrator> admins;
  private static PrometheusMeterRegistry meters;
  private static AdminServer server;
  private static final List<String> blocked = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = AdminTestKit.watched(thread -> blocked.add(thread.getName() + " blocked"));
    admins = List.of(
        new Administrator("alice", AdminTestKit.hash(PASSWORD), Administrator.Role.OrganizationManagement),
        new Administrator("viewer", AdminTestKit.hash(VIEWER_PASSWORD), Administrator.Role.ViewOnlyOrganizationManagement));
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"), admins, meters,
        List.of(), bootstrap).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(List.of(), blocked, "no event loop was blocked during the whole class");
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String alice() {
    return AdminTestKit.basic("alice", PASSWORD);
  }

  private static String viewer() {
    return AdminTestKit.basic("viewer", VIEWER_PASSWORD);
  }

  private static HttpResponse<String> get(AdminServer on, String path, String authorization) throws Exception {
    return AdminTestKit.get(on.url(), path, authorization);
  }

  private static HttpResponse<String> post(AdminServer on, String path, String authorization, String body)
      throws Exception {
    return AdminTestKit.post(on.url(), path, authorization, body);
  }

  /** The listed entry whose key is {@code key}, or null. */
  private static JsonObject listed(String query, String key) throws Exception {
    HttpResponse<String> list = get(server, "/api/v1/poison" + query, viewer());
    assertEquals(200, list.statusCode(), list.body());
    JsonArray poison = new JsonObject(list.body()).getJsonArray("poison");
    return poison.stream().map(JsonObject.class::cast).filter(e -> key.equals(e.getString("key"))).findFirst()
        .orElse(null);
  }

  /** Parks {@code value} under {@code key} the real way: a stage's loop cannot decode it. Answers the original. */
  private static RecordMetadata parkThroughAStage(String run, byte[] value) throws Exception {
    RecordMetadata original;
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "raw-" + run))) {
      original = raw.send(new ProducerRecord<>(Topics.SUBMISSION.name(), run, value)).get(10, TimeUnit.SECONDS);
    }
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "stage-" + run);
        StageLoop<SubmittedMessage> loop = StageLoop.start("categorizer", bootstrap, "poison-it-" + run,
            Topics.SUBMISSION, (k, v, origin) -> CompletableFuture.completedFuture(null), publisher, FAST)) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> listed("", run) != null);
    }
    return original;
  }

  private static ConsumerRecord<String, byte[]> rawRecordAt(String topic, int partition, long offset) {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrap, "unused", "poison-it-raw");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      TopicPartition p = new TopicPartition(topic, partition);
      consumer.assign(List.of(p));
      consumer.seek(p, offset);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == offset) {
            return r;
          }
        }
      }
    }
    return null;
  }

  private static ControlRecord decision(String id) {
    return AdminTestKit.setting(bootstrap, ControlKind.POISON, id);
  }

  @Test
  void aRecordAStageParkedIsListedResubmittedUnchangedAuditedAndDeleted() throws Exception {
    String run = UUID.randomUUID().toString(); // the submission topic's key: a network message id
    byte[] garbage = ("not avro " + run).getBytes(StandardCharsets.US_ASCII);
    RecordMetadata original = parkThroughAStage(run, garbage);

    JsonObject entry = listed("", run);
    String id = entry.getString("id");
    assertTrue(id.matches("\\d+:\\d+"), id);
    assertEquals("categorizer", entry.getString("stage"));
    assertEquals(Topics.SUBMISSION.name(), entry.getString("topic"));
    assertEquals(original.partition(), entry.getInteger("partition"));
    assertEquals(original.offset(), entry.getLong("offset"));
    assertTrue(entry.getString("reason").contains("not Avro single-object encoded"), entry.getString("reason"));
    assertEquals(garbage.length, entry.getInteger("size"));
    assertEquals(run, entry.getString("networkMessageId"));
    assertEquals("Parked", entry.getString("status"));
    assertNotNull(Instant.parse(entry.getString("dateTime")));
    assertFalse(entry.containsKey("admin"));

    // a view-only administrator reads the list but may not act: 403, and nothing is written
    assertEquals(403, post(server, "/api/v1/poison/" + id + "/resubmit", viewer(), null).statusCode());
    assertNull(decision(id));

    HttpResponse<String> resubmitted = post(server, "/api/v1/poison/" + id + "/resubmit", alice(),
        "{\"reason\": \"categorizer fixed\"}");
    assertEquals(200, resubmitted.statusCode(), resubmitted.body());
    JsonObject result = new JsonObject(resubmitted.body());
    assertEquals("resubmit", result.getString("action"));
    assertEquals("Resubmitted", result.getString("state"));
    assertEquals("alice", result.getString("setBy"));
    assertEquals("categorizer fixed", result.getString("reason"));
    JsonObject to = result.getJsonObject("resubmittedTo");
    assertEquals(Topics.SUBMISSION.name(), to.getString("topic"));

    // the bytes are back where the stage reads them, key and value unchanged
    ConsumerRecord<String, byte[]> back = rawRecordAt(to.getString("topic"), to.getInteger("partition"),
        to.getLong("offset"));
    assertNotNull(back, "the resubmitted record at " + to);
    assertEquals(run, back.key());
    assertArrayEquals(garbage, back.value());

    ControlRecord decision = decision(id);
    assertEquals("Resubmitted", decision.getState());
    assertEquals("alice", decision.getSetBy());
    assertEquals("categorizer fixed", decision.getReason());
    JsonObject listedAfter = listed("", run);
    assertEquals("Resubmitted", listedAfter.getString("status"));
    assertEquals("alice", listedAfter.getJsonObject("admin").getString("setBy"));

    // the audit: keyed by the message's network message id, so its tracking shows the resubmit
    List<TrackingEvent> audit = AdminTestKit.adminEvents(bootstrap, run);
    assertEquals(1, audit.size(), "got " + audit + ", want the resubmit");
    TrackingEvent event = audit.get(0);
    assertEquals("QUEUEACTION", event.getEventId());
    assertEquals(run, event.getNetworkMessageId());
    assertEquals("Resume-Message -Identity poison\\" + id + "; setBy=alice; via=api; topic=mail.submission.v1",
        event.getSourceContext());
    assertEquals("categorizer fixed", event.getMessageInfo());
    assertEquals("127.0.0.1", event.getClientIp());
    assertEquals("MBX1", event.getServerHostname());
    assertEquals(decision.getSetAt(), event.getDateTime());

    // a second time is refused unless forced: the stage may park it again
    HttpResponse<String> again = post(server, "/api/v1/poison/" + id + "/resubmit", alice(), null);
    assertEquals(409, again.statusCode(), again.body());
    assertEquals("conflict", new JsonObject(again.body()).getString("error"));
    assertTrue(new JsonObject(again.body()).getString("message").contains("force"), again.body());
    assertEquals(1, AdminTestKit.adminEvents(bootstrap, run).size(), "the refused resubmit wrote nothing");
    HttpResponse<String> forced = post(server, "/api/v1/poison/" + id + "/resubmit?force=true", alice(), null);
    assertEquals(200, forced.statusCode(), forced.body());
    assertTrue(new JsonObject(forced.body()).getJsonObject("resubmittedTo").getLong("offset") > to.getLong("offset"));

    // delete: hidden from the list, shown with all=true; deleting again writes nothing
    HttpResponse<String> deleted = post(server, "/api/v1/poison/" + id + "/delete", alice(),
        "{\"reason\": \"looked at it\"}");
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals("Deleted", new JsonObject(deleted.body()).getString("state"));
    assertTrue(new JsonObject(deleted.body()).getBoolean("written"));
    assertFalse(new JsonObject(deleted.body()).containsKey("resubmittedTo"));
    assertNull(listed("", run), "deleted entries are hidden");
    assertEquals("Deleted", listed("?all=true", run).getString("status"));
    HttpResponse<String> twice = post(server, "/api/v1/poison/" + id + "/delete", alice(), null);
    assertEquals(200, twice.statusCode(), twice.body());
    assertFalse(new JsonObject(twice.body()).getBoolean("written"));
    assertEquals("looked at it", new JsonObject(twice.body()).getString("reason"), "the standing decision");
    List<TrackingEvent> all = AdminTestKit.adminEvents(bootstrap, run);
    assertEquals(3, all.size(), "resubmit, forced resubmit, delete: got " + all);
    assertEquals("Remove-Message -Identity poison\\" + id + "; setBy=alice; via=api; topic=mail.submission.v1",
        all.get(2).getSourceContext());
    assertEquals(409, post(server, "/api/v1/poison/" + id + "/resubmit", alice(), null).statusCode(),
        "a deleted entry is resubmitted only with force");
  }

  @Test
  void badIdsUnknownIdsAndRecordsThatCannotGoBackChangeNothing() throws Exception {
    assertEquals(401, get(server, "/api/v1/poison", null).statusCode());
    assertEquals(401, post(server, "/api/v1/poison/0:0/delete", null, null).statusCode());
    assertEquals(403, post(server, "/api/v1/poison/0:0/delete", viewer(), null).statusCode());
    for (String bad : List.of("abc", "0:", ":1", "-1:0", "0:1:2", "1.0")) {
      HttpResponse<String> response = post(server, "/api/v1/poison/" + bad + "/delete", alice(), null);
      assertEquals(400, response.statusCode(), bad + ": " + response.body());
      assertEquals("bad_request", new JsonObject(response.body()).getString("error"));
    }
    assertEquals(400, get(server, "/api/v1/poison?all=yes", viewer()).statusCode());
    assertEquals(400, post(server, "/api/v1/poison/0:0/delete?force=true", alice(), null).statusCode());
    assertEquals(400, post(server, "/api/v1/poison/0:0/delete", alice(), "{\"why\": 1}").statusCode());
    for (String unknown : List.of("0:999999999", "99:0")) {
      HttpResponse<String> response = post(server, "/api/v1/poison/" + unknown + "/resubmit", alice(), null);
      assertEquals(404, response.statusCode(), unknown + ": " + response.body());
      assertEquals("unknown_poison", new JsonObject(response.body()).getString("error"));
      assertNull(decision(unknown), "nothing written for " + unknown);
    }
    HttpResponse<String> noAction = post(server, "/api/v1/poison/0:0/requeue", alice(), null);
    assertEquals(404, noAction.statusCode());
    assertEquals("not_found", new JsonObject(noAction.body()).getString("error"));
    assertEquals(405, get(server, "/api/v1/poison/0:0/resubmit", alice()).statusCode());

    // a parked record from a topic no stage reads as a queue is not written back there
    String run = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "poison-it-" + run)) {
      PoisonParking.park(publisher, "test", new ConsumerRecord<>(Topics.CONTROL.name(), 0, 5L, run,
          "x".getBytes(StandardCharsets.US_ASCII)), "made up", Instant.now()).get(10, TimeUnit.SECONDS);
    }
    JsonObject entry = listed("", run);
    assertNull(entry.getString("networkMessageId"), "the control topic is not keyed by network message id");
    HttpResponse<String> refused = post(server, "/api/v1/poison/" + entry.getString("id") + "/resubmit", alice(),
        null);
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("no queue a mailflow stage reads"), refused.body());
    assertNull(decision(entry.getString("id")));
    assertEquals(List.of(), AdminTestKit.adminEvents(bootstrap, "poison\\" + entry.getString("id")));
  }

  @Test
  void kafkaDownIs503WithJson() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AdminServer other = AdminServer.start(vertx, AdminServerOptions.loopback(0)
            .withKafkaTimeout(Duration.ofSeconds(2)), admins, meters, List.of(), "127.0.0.1:" + deadPort)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      HttpResponse<String> list = get(other, "/api/v1/poison", viewer());
      assertEquals(503, list.statusCode(), list.body());
      assertEquals("kafka_unavailable", new JsonObject(list.body()).getString("error"));
      HttpResponse<String> resubmit = post(other, "/api/v1/poison/0:0/resubmit", alice(), null);
      assertEquals(503, resubmit.statusCode(), resubmit.body());
      assertEquals("kafka_unavailable", new JsonObject(resubmit.body()).getString("error"));
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
