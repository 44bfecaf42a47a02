package io.mailflow.admin;

import static io.mailflow.admin.QueuedCopies.item;
import static io.mailflow.admin.QueuedCopies.queue;
import static io.mailflow.admin.QueuedCopies.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queues and messages API over real HTTP against the embedded broker: copies written straight to the delivery
 * and delay topics, listed, filtered, paged, shown, exported and acted on; every 4xx with its JSON body. The
 * blocked-thread checker fails the class if an event loop waited on Kafka.
 */
class MessageRoutesIT {
  private static final String PASSWORD = "correct horse";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Vertx vertx;
  private static String bootstrap;
  private static AdminServer server;
  private static String base;
  private static final List<String> blocked = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    // An event loop must never wait on Kafka or on the index: a block whose stack shows a Kafka client, the index,
    // a detail read, an action or a wait fails the class. Blocks with none of those in the stack are the host's doing
    // (a loaded 2-core machine starving the loop, one-time class initialisation) and are only printed.
    vertx = AdminTestKit.watched(thread -> {
      String stack = java.util.Arrays.toString(thread.getStackTrace());
      String report = thread.getName() + " blocked at " + stack;
      if (java.util.regex.Pattern.compile("org\\.apache\\.kafka|MessageIndex|MessageDetail|MessageActions"
          + "|MessageJson|QueueView|PasswordHash|Thread\\.sleep|CompletableFuture\\.get|FutureTask\\.get")
          .matcher(stack).find()) {
        blocked.add(report);
      } else {
        System.err.println("(host) " + report);
      }
    });
    List<Administrator> admins = List.of(
        new Administrator("alice", hash(), Administrator.Role.OrganizationManagement),
        new Administrator("viewer", hash(), Administrator.Role.ViewOnlyOrganizationManagement));
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"), admins,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = server.url();
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(List.of(), blocked, "no event loop was blocked during the whole class");
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String hash() {
    return AdminTestKit.hash(PASSWORD);
  }

  private static String auth(String name) {
    return AdminTestKit.basic(name, PASSWORD);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return AdminTestKit.get(base, path, auth("alice"));
  }

  private static JsonObject getJson(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return new JsonObject(r.body());
  }

  private static HttpResponse<String> post(String path, String who, String body) throws Exception {
    return AdminTestKit.post(base, path, auth(who), body);
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void assertError(HttpResponse<String> r, int status, String error) {
    assertEquals(status, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals(error, body.getString("error"), r.body());
    assertTrue(body.getString("message") != null && !body.getString("message").isBlank(), r.body());
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("id")).toList();
  }

  /** Five copies in a fresh queue, received a minute apart (oldest first); their ids in that order. */
  private static List<String> fiveCopies(String queue) {
    List<String> ids = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(600);
    for (int i = 0; i < 5; i++) {
      String id = UUID.randomUUID().toString();
      write(bootstrap, Topics.DELIVERY, queue, item(queue, id, i % 2 == 0 ? "carol@fabrikam.test"
          : "dave@fabrikam.test", start.plusSeconds(60L * i), 0, "bob" + i + "@peer.test"));
      ids.add(id);
    }
    return ids;
  }

  @Test
  void listsFiltersAndPagesTheQueuedCopies() throws Exception {
    String queue = queue();
    List<String> ids = fiveCopies(queue);
    JsonObject all = getJson("/api/v1/messages?queue=" + q(queue));
    assertEquals(5, all.getInteger("total"));
    assertEquals(ids, ids(all), "sorted by date received");
    assertNull(all.getString("next"));
    JsonObject first = all.getJsonArray("messages").getJsonObject(0);
    assertEquals(queue, first.getString("queue"));
    assertEquals("carol@fabrikam.test", first.getString("sender"));
    assertEquals("Ready", first.getString("status"));
    assertEquals("bob0@peer.test", first.getJsonArray("recipients").getJsonObject(0).getString("address"));
    assertEquals("Ready", first.getJsonArray("recipients").getJsonObject(0).getString("status"));
    assertEquals("hello folded " + ids.get(0), first.getString("subject"));
    assertEquals(0, first.getInteger("retryCount"));
    assertEquals(Instant.parse(first.getString("dateReceived")).plus(Duration.ofDays(2)),
        Instant.parse(first.getString("expirationTime")));

    JsonObject page1 = getJson("/api/v1/messages?queue=" + q(queue) + "&limit=2");
    assertEquals(ids.subList(0, 2), ids(page1));
    assertEquals(5, page1.getInteger("total"));
    JsonObject page2 = getJson("/api/v1/messages?queue=" + q(queue) + "&limit=2&after=" + page1.getString("next"));
    assertEquals(ids.subList(2, 4), ids(page2));
    JsonObject page3 = getJson("/api/v1/messages?queue=" + q(queue) + "&limit=2&after=" + page2.getString("next"));
    assertEquals(ids.subList(4, 5), ids(page3));
    assertNull(page3.getString("next"));

    assertEquals(List.of(ids.get(1), ids.get(3)),
        ids(getJson("/api/v1/messages?queue=" + q(queue) + "&sender=DAVE@fabrikam.test")), "case-insensitive");
    assertEquals(List.of(ids.get(2)), ids(getJson("/api/v1/messages?queue=" + q(queue) + "&recipient=bob2*")));
    assertEquals(3, getJson("/api/v1/messages?queue=" + q("MBX1\\" + queue) + "&sender=carol*").getInteger("total"),
        "the listed server\\key names the queue too");
    JsonObject none = getJson("/api/v1/messages?queue=" + q(queue) + "&sender=nobody@nowhere.test");
    assertEquals(0, none.getInteger("total"));
    assertEquals(new JsonArray(), none.getJsonArray("messages"));
    assertEquals(0, getJson("/api/v1/messages?queue=" + q(queue) + "&status=Retry").getInteger("total"));
  }

  @Test
  void queuesCountTheIndexedCopiesAndTheDigestGroupsThem() throws Exception {
    String queue = queue();
    fiveCopies(queue);
    write(bootstrap, Topics.RETRY_15M, queue, item(queue, UUID.randomUUID().toString(), "carol@fabrikam.test",
        Instant.now().minus(Duration.ofHours(3)), 3, "late@peer.test"));
    JsonObject row = getJson("/api/v1/queues").getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(o -> queue.equals(o.getString("nextHop"))).findFirst().orElseThrow();
    assertEquals(6, row.getInteger("messageCount"));
    assertEquals("Retry", row.getString("status"), "a copy waits on a delay topic");
    assertTrue(row.getLong("oldestMessageAgeSeconds") >= 3 * 3600, row.encode());
    assertEquals("SmartHostConnectorDelivery", row.getString("deliveryType"));
    assertTrue(row.getDouble("incomingRate") > 0, row.encode());
    assertEquals(0.0, row.getDouble("outgoingRate"));

    JsonObject digest = getJson("/api/v1/queues/digest?groupBy=nextHopDomain");
    assertEquals("nextHopDomain", digest.getString("groupBy"));
    assertEquals(11, digest.getJsonArray("ageBuckets").size());
    JsonObject group = digest.getJsonArray("groups").stream().map(JsonObject.class::cast)
        .filter(g -> QueuedCopies.domain(queue).equals(g.getString("key"))).findFirst().orElseThrow();
    assertEquals(6, group.getInteger("messageCount"));
    assertEquals(1, group.getInteger("queueCount"));
    // ages 10..6 minutes: buckets "10" (6-10 min); 3 h = 180 min: bucket "320"
    assertEquals(new JsonArray(List.of(0, 0, 5, 0, 0, 0, 0, 1, 0, 0, 0)), group.getJsonArray("ages"));
    assertEquals(200, get("/api/v1/queues/digest?groupBy=deliveryType").statusCode());
    assertEquals(200, get("/api/v1/queues/digest").statusCode());
  }

  @Test
  void theDetailAddsEnvelopeHeadersAndTrackingEvents() throws Exception {
    String queue = queue();
    String id = fiveCopies(queue).get(0);
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "message-routes-it")) {
      TrackingEvent received = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("EX01")
          .setSource("SMTP").setEventId("RECEIVE").setNetworkMessageId("nmid-" + id)
          .setRecipientAddress(List.of("bob0@peer.test")).build();
      publisher.sendAndWait(Topics.TRACKING, "nmid-" + id, received, Duration.ofSeconds(10));
      publisher.sendAndWait(Topics.TRACKING, "nmid-" + id, TrackingEvent.newBuilder(received).setSource("SMTP")
          .setEventId("DEFER").setInternalMessageId(id).setDateTime(Instant.now().plusMillis(1))
          .setRecipientStatus(List.of("451 4.4.0 Primary target IP address responded with 421")).build(),
          Duration.ofSeconds(10));
      TrackingEvent other = TrackingEvent.newBuilder(received).setNetworkMessageId("nmid-other").build();
      publisher.sendAndWait(Topics.TRACKING, "nmid-other", other, Duration.ofSeconds(10));
    }
    JsonObject detail = getJson("/api/v1/messages/" + id);
    assertEquals(id, detail.getString("id"));
    assertEquals("carol@fabrikam.test", detail.getJsonObject("envelope").getString("sender"));
    assertEquals("EX01", detail.getJsonObject("envelope").getString("receivingServer"));
    JsonArray headers = detail.getJsonArray("headers");
    JsonObject subject = headers.stream().map(JsonObject.class::cast).filter(h -> h.getString("name").equals("Subject"))
        .findFirst().orElseThrow();
    assertEquals("hello folded " + id, subject.getString("value"), "unfolded");
    assertEquals("Received", headers.getJsonObject(0).getString("name"));
    JsonArray events = detail.getJsonArray("trackingEvents");
    assertEquals(2, events.size(), events.encode());
    assertEquals("RECEIVE", events.getJsonObject(0).getString("eventId"));
    assertEquals("SMTP", events.getJsonObject(0).getString("source"));
    assertEquals("DEFER", events.getJsonObject(1).getString("eventId"));
    JsonObject bob = detail.getJsonArray("recipients").getJsonObject(0);
    assertEquals("451 4.4.0 Primary target IP address responded with 421", bob.getString("lastReply"),
        "the recipient's last reply, from its tracking events");
    // the list knows it too: the index follows the DEFER events of queued copies
    JsonObject listed = getJson("/api/v1/messages?queue=" + q(queue) + "&limit=1");
    assertEquals("451 4.4.0 Primary target IP address responded with 421",
        listed.getJsonArray("messages").getJsonObject(0).getString("lastError"));
    assertEquals("Retry", listed.getJsonArray("messages").getJsonObject(0).getJsonArray("recipients")
        .getJsonObject(0).getString("status"));
  }

  @Test
  void exportsInlineAndClaimCheckedBodiesAsEml() throws Exception {
    String queue = queue();
    String id = fiveCopies(queue).get(0);
    HttpResponse<byte[]> inline = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/v1/messages/" + id + "/raw"))
        .header("Authorization", auth("viewer")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, inline.statusCode());
    assertEquals("message/rfc822", inline.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(inline.headers().firstValue("Content-Disposition").orElseThrow().contains(id + ".eml"));
    assertTrue(new String(inline.body(), StandardCharsets.UTF_8).endsWith("body of " + id + "\r\n"));

    // a claim-checked copy: head inline, three chunks on mail.bodies.v1
    String big = UUID.randomUUID().toString();
    byte[] head = ("From: carol@fabrikam.test\r\nSubject: large\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    List<byte[]> chunks = List.of("A".repeat(1000).getBytes(), "B".repeat(1000).getBytes(), "C\r\n".getBytes());
    List<Long> offsets = new ArrayList<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int partition = -1;
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "message-routes-it")) {
      for (int i = 0; i < chunks.size(); i++) {
        RecordMetadata m = publisher.sendAndWait(Topics.BODIES, "body-" + big, BodyChunk.newBuilder()
            .setBodyId("body-" + big).setIndex(i).setData(ByteBuffer.wrap(chunks.get(i))).build(),
            Duration.ofSeconds(10));
        offsets.add(m.offset());
        partition = m.partition();
        sha.update(chunks.get(i));
      }
    }
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.writeBytes(head);
    chunks.forEach(whole::writeBytes);
    DeliveryItem item = item(queue, big, "carol@fabrikam.test", Instant.now(), 0, "bob@peer.test");
    item.setBody(BodyReference.newBuilder().setBodyId("body-" + big).setChunkCount(3).setSize(whole.size())
        .setSha256(HexFormat.of().formatHex(sha.digest())).setHead(ByteBuffer.wrap(head)).setPartition(partition)
        .setOffsets(offsets).build());
    write(bootstrap, Topics.DELIVERY, queue, item);
    HttpResponse<byte[]> referenced = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/v1/messages/" + big
        + "/raw")).header("Authorization", auth("alice")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, referenced.statusCode(), new String(referenced.body()));
    assertArrayEquals(whole.toByteArray(), referenced.body());
    JsonObject detail = getJson("/api/v1/messages/" + big);
    assertEquals("large", detail.getJsonArray("headers").getJsonObject(1).getString("value"));
  }

  private static ControlRecord setting(String id) {
    return AdminTestKit.setting(bootstrap, ControlKind.MESSAGE, id);
  }

  private static List<TrackingEvent> audit(String networkMessageId) {
    try (TopicReader<TrackingEvent> reader = TopicReader.fromBeginning(bootstrap, Topics.TRACKING)) {
      List<TrackingEvent> found = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < deadline) {
        reader.poll(Duration.ofMillis(200)).stream().filter(e -> e.decoded()
            && "ADMIN".equals(e.value().getSource()) && networkMessageId.equals(e.value().getNetworkMessageId()))
            .forEach(e -> found.add(e.value()));
      }
      return found;
    }
  }

  @Test
  void actionsByIdWriteTheControlRecordAndTheAuditAndShowInTheNextAnswer() throws Exception {
    String queue = queue();
    List<String> ids = fiveCopies(queue);
    String id = ids.get(0);
    HttpResponse<String> suspended = post("/api/v1/messages/" + id + "/suspend", "alice",
        "{\"reason\": \"looks odd\"}");
    assertEquals(200, suspended.statusCode(), suspended.body());
    JsonObject answer = new JsonObject(suspended.body());
    assertEquals("Suspended", answer.getString("state"));
    assertEquals("alice", answer.getString("setBy"));
    assertEquals("suspend", answer.getString("action"));
    assertEquals("Suspended", setting(id).getState());
    assertEquals("looks odd", setting(id).getReason());
    assertEquals("Suspended", getJson("/api/v1/messages/" + id).getString("status"), "visible in the next answer");

    HttpResponse<String> removed = post("/api/v1/messages/" + id + "/remove", "alice", "{\"withNDR\": true}");
    assertEquals(200, removed.statusCode(), removed.body());
    assertEquals("RemovedWithNDR", setting(id).getState());
    assertEquals("PendingRemove", getJson("/api/v1/messages/" + id).getString("status"));
    assertError(post("/api/v1/messages/" + id + "/resume", "alice", null), 409, "conflict");

    assertEquals("Removed", new JsonObject(post("/api/v1/messages/" + ids.get(1) + "/remove", "alice", null).body())
        .getString("state"), "without an NDR by default: no backscatter");

    List<TrackingEvent> audit = audit("nmid-" + id);
    assertEquals(2, audit.size(), "suspend and remove; the refused resume wrote none: " + audit);
    assertEquals("QUEUEACTION", audit.get(0).getEventId());
    assertEquals(id, audit.get(0).getInternalMessageId());
    assertEquals("Suspend-Message -Identity " + id + "; setBy=alice; via=api; state=Suspended",
        audit.get(0).getSourceContext());
    assertEquals("looks odd", audit.get(0).getMessageInfo());
    assertEquals("MBX1", audit.get(0).getServerHostname());
    assertEquals("Remove-Message -Identity " + id + " -WithNDR $true; setBy=alice; via=api; state=RemovedWithNDR",
        audit.get(1).getSourceContext());
  }

  @Test
  void actionsByFilterActOnEveryMatchingCopy() throws Exception {
    String queue = queue();
    List<String> ids = fiveCopies(queue);
    HttpResponse<String> r = post("/api/v1/messages/suspend?queue=" + q(queue) + "&sender=dave@fabrikam.test", "alice",
        "{\"reason\": \"spam run\"}");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject answer = new JsonObject(r.body());
    assertEquals(2, answer.getInteger("matched"));
    assertEquals(new JsonArray(List.of(ids.get(1), ids.get(3))), answer.getJsonArray("ids"));
    assertEquals(2, getJson("/api/v1/messages?queue=" + q(queue) + "&status=Suspended").getInteger("total"));
    assertEquals(3, getJson("/api/v1/messages?queue=" + q(queue) + "&status=Ready").getInteger("total"));

    JsonObject none = new JsonObject(post("/api/v1/messages/remove?queue=" + q(queue) + "&sender=nobody@x.test",
        "alice", null).body());
    assertEquals(0, none.getInteger("matched"));
    assertEquals(new JsonArray(), none.getJsonArray("ids"));
  }

  @Test
  void aSuspendedQueueShowsItsCopiesAsSuspended() throws Exception {
    String queue = queue();
    fiveCopies(queue);
    assertEquals(200, post("/api/v1/queues/" + q(queue).replace("+", "%20") + "/suspend", "alice", null).statusCode());
    assertEquals(5, getJson("/api/v1/messages?queue=" + q(queue) + "&status=Suspended").getInteger("total"));
    JsonObject row = getJson("/api/v1/queues").getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(o -> queue.equals(o.getString("nextHop"))).findFirst().orElseThrow();
    assertEquals("Suspended", row.getString("status"));
    assertEquals(5, row.getInteger("messageCount"));
  }

  @Test
  void theQueueStateEventsGiveLastErrorAndNextRetry() throws Exception {
    String queue = queue();
    fiveCopies(queue);
    Instant next = Instant.parse("2030-01-01T10:00:00Z");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "message-routes-it")) {
      publisher.sendAndWait(Topics.TRACKING, queue, TrackingEvent.newBuilder().setDateTime(Instant.now())
          .setServerHostname("MBX2").setSource("QUEUE").setEventId("QUEUESTATE").setNetworkMessageId("")
          .setQueue(QueueState.newBuilder().setIdentity(queue).setStatus("Retry").setMessageCount(1)
              .setLastError("421 4.4.2 Connection dropped").setNextRetryTime(next).build()).build(),
          Duration.ofSeconds(10));
    }
    JsonObject row = getJson("/api/v1/queues").getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(o -> queue.equals(o.getString("nextHop"))).findFirst().orElseThrow();
    assertEquals("MBX2\\" + queue, row.getString("identity"));
    assertEquals(5, row.getInteger("messageCount"), "the index's count, not the reported 1");
    assertEquals("421 4.4.2 Connection dropped", row.getString("lastError"));
    assertEquals(next.toString(), row.getString("nextRetryTime"));
    assertEquals("Retry", row.getString("status"));
    JsonObject digest = getJson("/api/v1/queues/digest?groupBy=lastError");
    assertTrue(digest.getJsonArray("groups").stream().map(JsonObject.class::cast)
        .anyMatch(g -> "421 4.4.2 Connection dropped".equals(g.getString("key")) && g.getInteger("messageCount") >= 5),
        digest.encode());
  }

  @Test
  void badInputIsRefusedWithJsonAndChangesNothing() throws Exception {
    String queue = queue();
    List<String> ids = fiveCopies(queue);
    String unknown = UUID.randomUUID().toString();
    assertError(get("/api/v1/messages/" + unknown), 404, "unknown_message");
    assertError(get("/api/v1/messages/" + unknown + "/raw"), 404, "unknown_message");
    assertError(post("/api/v1/messages/" + unknown + "/suspend", "alice", null), 404, "unknown_message");
    assertError(get("/api/v1/messages?limit=0"), 400, "bad_request");
    assertError(get("/api/v1/messages?limit=1001"), 400, "bad_request");
    assertError(get("/api/v1/messages?limit=ten"), 400, "bad_request");
    assertError(get("/api/v1/messages?after=not-a-cursor"), 400, "bad_request");
    assertError(get("/api/v1/messages?status=Sleeping"), 400, "bad_request");
    assertError(get("/api/v1/messages?colour=red"), 400, "bad_request");
    assertError(get("/api/v1/queues/digest?groupBy=colour"), 400, "bad_request");
    assertError(post("/api/v1/messages/suspend", "alice", null), 400, "bad_request");
    assertError(post("/api/v1/messages/suspend?limit=3", "alice", null), 400, "bad_request");
    assertError(post("/api/v1/messages/" + ids.get(0) + "/suspend", "alice", "{\"withNDR\": true}"), 400,
        "bad_request");
    assertError(post("/api/v1/messages/" + ids.get(0) + "/remove", "alice", "{\"withNDR\": \"yes\"}"), 400,
        "bad_request");
    assertError(post("/api/v1/messages/" + ids.get(0) + "/remove", "alice", "{\"reason\": "), 400, "bad_request");
    assertError(post("/api/v1/messages/" + ids.get(0) + "/delete", "alice", null), 404, "not_found");
    assertError(post("/api/v1/messages/" + ids.get(0) + "/suspend", "viewer", null), 403, "forbidden");
    assertError(post("/api/v1/messages/suspend?queue=" + q(queue), "viewer", null), 403, "forbidden");
    assertNull(setting(ids.get(0)), "nothing written by any refused request");
    assertEquals(List.of(), audit("nmid-" + ids.get(0)));

    // a copy that left its queue: 409 for an action, 404 saying when for a read
    RecordMetadata record = write(bootstrap, Topics.DELIVERY, queue, item(queue, "left-" + unknown,
        "carol@fabrikam.test", Instant.now(), 0, "bob@peer.test"));
    assertEquals(200, get("/api/v1/messages/left-" + unknown).statusCode());
    QueuedCopies.commitPast(bootstrap, MessageIndex.DELIVERY_GROUP, record);
    HttpResponse<String> gone = post("/api/v1/messages/left-" + unknown + "/remove", "alice", null);
    assertError(gone, 409, "conflict");
    assertTrue(new JsonObject(gone.body()).getString("message").contains("left its queue"), gone.body());
    assertNull(setting("left-" + unknown));
    assertNotNull(new JsonObject(get("/api/v1/messages/left-" + unknown).body()).getString("message"));
  }
}
