package io.mailflow.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.organization.PasswordHash;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin server over real HTTP (java.net.http) against the embedded broker: health, metrics, logins and
 * roles, throttling, the queue API and its bad input. Vert.x's blocked-thread checker is set to fail loudly:
 * a PBKDF2 check or a Kafka read on the event loop would log a warning and, at 200 ms, show in the timings.
 */
class AdminServerIT {
  private static final String PASSWORD = "correct horse";
  private static final String VIEWER_PASSWORD = "just looking";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static String bootstrap;
  private static PrometheusMeterRegistry meters;
  private static AdminServer server;
  private static final AtomicBoolean stageJoined = new AtomicBoolean();
  private static String base;
  private static ApiToken.Made viewerToken;
  private static ApiToken.Made aliceToken;
  /** Event loops the blocked-thread checker caught (it checks every 20 ms against a 100 ms limit). */
  private static final List<String> blocked = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = AdminTestKit.watched(thread -> blocked.add(thread.getName() + " blocked"));
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.counter("mailflow.test.things").increment(3);
    aliceToken = ApiToken.create("alice");
    viewerToken = ApiToken.create("viewer");
    List<Administrator> admins = List.of(
        new Administrator("alice", AdminTestKit.hash(PASSWORD), Administrator.Role.OrganizationManagement,
            List.of(aliceToken.tokenHash())),
        new Administrator("viewer", AdminTestKit.hash(VIEWER_PASSWORD), Administrator.Role.ViewOnlyOrganizationManagement,
            List.of(viewerToken.tokenHash())),
        // production strength: ~0.3-1 s per check, which would trip the 100 ms limit on an event loop
        new Administrator("slow", PasswordHash.create(PASSWORD.toCharArray()).encoded(),
            Administrator.Role.OrganizationManagement));
    List<ReadinessCheck> checks = List.of(new BrokerReachable(bootstrap, Duration.ofSeconds(3)),
        ReadinessCheck.of("delivery", () -> stageJoined.get() ? ReadinessCheck.Result.ok("in its group")
            : ReadinessCheck.Result.failed("not yet in its consumer group")));
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"), admins, meters, checks,
        bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = server.url();
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(List.of(), blocked, "no event loop was blocked during the whole class");
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(String path, String authorization) throws Exception {
    return AdminTestKit.get(base, path, authorization);
  }

  private static HttpResponse<String> post(String path, String authorization, String body) throws Exception {
    return AdminTestKit.post(base, path, authorization, body);
  }

  private static ControlRecord setting(String key) {
    return AdminTestKit.setting(bootstrap, ControlKind.QUEUE, key);
  }

  private static String queuePath(String key, String action) {
    return "/api/v1/queues/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
  }

  private static String reportedQueue() throws Exception {
    String key = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    TrackingEvent event = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("MBX1")
        .setSource("QUEUE").setEventId("QUEUESTATE").setNetworkMessageId("")
        .setQueue(QueueState.newBuilder().setIdentity(key).setDeliveryType("SmartHostConnectorDelivery")
            .setNextHopDomain("peer.test").setStatus("Retry").setMessageCount(2)
            .setLastError("421 4.3.2 Service not available").build())
        .build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "admin-server-it")) {
      publisher.send(Topics.TRACKING, key, event).get(10, TimeUnit.SECONDS);
    }
    return key;
  }

  @Test
  void aProductionStrengthPasswordCheckRunsOffTheEventLoop() throws Exception {
    java.util.concurrent.CompletableFuture<HttpResponse<String>> login = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "api/v1/queues")).header("Authorization", AdminTestKit.basic("slow", PASSWORD))
            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    long started = System.nanoTime();
    assertEquals(200, get("/health/live", null).statusCode());
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "live answered while the hash runs");
    assertEquals(200, login.get(60, TimeUnit.SECONDS).statusCode());
    assertEquals(List.of(), blocked);
  }

  @Test
  void theMessageIndexRunsOnlyOnceAnAdministratorAsks() throws Exception {
    AdminServer own = AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"),
        List.of(new Administrator("alice", AdminTestKit.hash(PASSWORD), Administrator.Role.OrganizationManagement)), meters,
        List.of(), bootstrap).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      for (String path : List.of("health/live", "health/ready", "metrics")) {
        HTTP.send(HttpRequest.newBuilder(URI.create(own.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
      }
      assertFalse(own.messageIndexRunning(), "health checks and scrapes cost the pipeline no index");
      HttpResponse<String> queues = HTTP.send(HttpRequest.newBuilder(URI.create(own.url() + "api/v1/queues"))
          .header("Authorization", AdminTestKit.basic("alice", PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, queues.statusCode(), queues.body());
      assertTrue(own.messageIndexRunning(), "started by the first question about queues");
    } finally {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void liveAnswersWithoutCredentials() throws Exception {
    HttpResponse<String> live = get("/health/live", null);
    assertEquals(200, live.statusCode());
    assertEquals("live", new JsonObject(live.body()).getString("status"));
  }

  @Test
  void anUpgradeToH2cIsDeclinedAndAnsweredInHttp11() throws Exception {
    // what Java's HttpClient and curl --http2 send on http://: the server answers in HTTP/1.1, never 101
    // (with h2c on, Java's client now and then read an HTTP/1.1 body as HTTP/2 frames)
    URI uri = URI.create(base);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
          + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      assertEquals("HTTP/1.1 200 OK", statusLine);
    }
  }

  @Test
  void readyTurns200OnceEveryCheckPassesAndNamesTheFailingOneBefore() throws Exception {
    stageJoined.set(false);
    HttpResponse<String> before = get("/health/ready", null);
    assertEquals(503, before.statusCode(), before.body());
    JsonObject checks = new JsonObject(before.body()).getJsonObject("checks");
    assertTrue(checks.getJsonObject("broker").getBoolean("ready"), before.body());
    assertFalse(checks.getJsonObject("delivery").getBoolean("ready"), before.body());
    assertEquals("not yet in its consumer group", checks.getJsonObject("delivery").getString("detail"));

    stageJoined.set(true);
    HttpResponse<String> after = get("/health/ready", null);
    assertEquals(200, after.statusCode(), after.body());
    assertEquals("ready", new JsonObject(after.body()).getString("status"));
  }

  @Test
  void aDegradedCheckKeepsReady200WithStatusDegradedAndWhy() throws Exception {
    java.util.concurrent.atomic.AtomicReference<ReadinessCheck.Result> pressure = new java.util.concurrent.atomic
        .AtomicReference<>(ReadinessCheck.Result.degraded("back pressure Medium: DatabaseUsedSpace[/data] = 97% [Medium]"));
    AdminServer other = AdminServer.start(vertx, AdminServerOptions.loopback(0), List.of(), meters,
        List.of(ReadinessCheck.of("backPressure", pressure::get)), bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      HttpResponse<String> degraded = HTTP.send(HttpRequest.newBuilder(URI.create(other.url() + "health/ready"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, degraded.statusCode(), degraded.body());
      JsonObject body = new JsonObject(degraded.body());
      assertEquals("degraded", body.getString("status"));
      JsonObject check = body.getJsonObject("checks").getJsonObject("backPressure");
      assertTrue(check.getBoolean("degraded"), degraded.body());
      assertEquals("back pressure Medium: DatabaseUsedSpace[/data] = 97% [Medium]", check.getString("detail"));

      pressure.set(ReadinessCheck.Result.failed("back pressure High: DatabaseUsedSpace[/data] = 99% [High]"));
      HttpResponse<String> high = HTTP.send(HttpRequest.newBuilder(URI.create(other.url() + "health/ready"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, high.statusCode(), high.body());
      assertEquals("not ready", new JsonObject(high.body()).getString("status"));
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void readyIs503NamingTheBrokerWhenKafkaIsDown() throws Exception {
    // a port nothing listens on: the broker "is down"
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AdminServer other = AdminServer.start(vertx, AdminServerOptions.loopback(0), List.of(), meters,
        List.of(new BrokerReachable("127.0.0.1:" + deadPort, Duration.ofSeconds(1))), "127.0.0.1:" + deadPort)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(other.url() + "health/ready"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, ready.statusCode(), ready.body());
      JsonObject broker = new JsonObject(ready.body()).getJsonObject("checks").getJsonObject("broker");
      assertFalse(broker.getBoolean("ready"));
      assertTrue(broker.getString("detail").startsWith("Kafka at 127.0.0.1:" + deadPort + " did not answer"),
          broker.getString("detail"));
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void metricsAreThePrometheusTextOfTheRegistryWithoutCredentials() throws Exception {
    HttpResponse<String> metrics = get("/metrics", null);
    assertEquals(200, metrics.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(metrics.body().contains("mailflow_test_things_total 3.0"), metrics.body());
    assertEquals(0, get("/no/such/thing", null).statusCode() / 1000);
    assertTrue(get("/metrics", null).body().matches("(?s).*mailflow_admin_requests_total\\{status=\"4xx\"} [1-9].*"),
        "the admin server counts its own answers");
  }

  @Test
  void metricsCanBeConfiguredToNeedALogin() throws Exception {
    AdminServer guarded = AdminServer.start(vertx, AdminServerOptions.loopback(0).withMetricsRequireLogin(true),
        List.of(new Administrator("viewer", AdminTestKit.hash(VIEWER_PASSWORD), Administrator.Role.ViewOnlyOrganizationManagement)),
        meters, List.of(), bootstrap).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      URI metrics = URI.create(guarded.url() + "metrics");
      assertEquals(401, HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      HttpResponse<String> viewer = HTTP.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", AdminTestKit.basic("viewer", VIEWER_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, viewer.statusCode(), "either role may read metrics");
      assertTrue(viewer.body().contains("mailflow_test_things_total"), viewer.body());
      assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(guarded.url() + "health/ready")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode(), "health stays open");
    } finally {
      guarded.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void apiWithoutCredentialsIs401WithAChallenge() throws Exception {
    HttpResponse<String> response = get("/api/v1/queues", null);
    assertEquals(401, response.statusCode());
    assertEquals(AdministratorLogin.CHALLENGE, response.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals("unauthorized", new JsonObject(response.body()).getString("error"));
  }

  @Test
  void aWrongPasswordIs401AndAMalformedHeaderToo() throws Exception {
    HttpResponse<String> wrong = get("/api/v1/queues", AdminTestKit.basic("alice", "wrong"));
    assertEquals(401, wrong.statusCode());
    assertEquals("wrong administrator name or password", new JsonObject(wrong.body()).getString("message"));
    HttpResponse<String> unknown = get("/api/v1/queues", AdminTestKit.basic("mallory", PASSWORD));
    assertEquals(401, unknown.statusCode());
    HttpResponse<String> malformed = get("/api/v1/queues", "Basic !!!");
    assertEquals(401, malformed.statusCode());
    assertTrue(new JsonObject(malformed.body()).getString("message").startsWith("malformed"), malformed.body());
  }

  @Test
  void repeatedFailuresAreThrottledWith429EvenForTheRightPassword() throws Exception {
    AdminServer other = AdminServer.start(vertx, AdminServerOptions.loopback(0),
        List.of(new Administrator("alice", AdminTestKit.hash(PASSWORD), Administrator.Role.OrganizationManagement)), meters,
        List.of(), bootstrap).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      URI queues = URI.create(other.url() + "api/v1/queues");
      for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(queues).header("Authorization",
            AdminTestKit.basic("alice", "guess" + i)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), "failure " + (i + 1) + " is still a plain 401");
      }
      long started = System.nanoTime();
      HttpResponse<String> throttled = HTTP.send(HttpRequest.newBuilder(queues).header("Authorization",
          AdminTestKit.basic("alice", PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(429, throttled.statusCode(), throttled.body());
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1), "refused at once, no waiting");
      long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 0 && retryAfter <= LoginThrottle.FIRST_LOCKOUT.toSeconds(), "Retry-After " + retryAfter);
      assertEquals("too_many_failed_logins", new JsonObject(throttled.body()).getString("error"));
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void bearerTokensLogInAsTheirAdministratorWithItsRole() throws Exception {
    String key = reportedQueue();
    assertEquals(200, get("/api/v1/queues", "Bearer " + viewerToken.token()).statusCode());
    HttpResponse<String> forbidden = post(queuePath(key, "suspend"), "Bearer " + viewerToken.token(), null);
    assertEquals(403, forbidden.statusCode(), forbidden.body());

    String forged = viewerToken.token().substring(0, viewerToken.token().length() - 4) + "abcd";
    HttpResponse<String> wrong = get("/api/v1/queues", "Bearer " + forged);
    assertEquals(401, wrong.statusCode());
    assertEquals("unknown or revoked token", new JsonObject(wrong.body()).getString("message"));
    assertEquals(List.of(AdministratorLogin.CHALLENGE, AdministratorLogin.BEARER_CHALLENGE),
        wrong.headers().allValues("WWW-Authenticate"));
    String otherName = "mailflow.alice." + viewerToken.token().substring("mailflow.viewer.".length());
    assertEquals(401, get("/api/v1/queues", "Bearer " + otherName).statusCode(), "a token is its administrator's only");

    HttpResponse<String> suspended = post(queuePath(key, "suspend"), "Bearer " + aliceToken.token(), null);
    assertEquals(200, suspended.statusCode(), suspended.body());
    assertEquals("alice", setting(key).getSetBy());
  }

  @Test
  void aViewOnlyAdministratorReadsQueuesButAnActionIs403AndChangesNothing() throws Exception {
    String key = reportedQueue();
    HttpResponse<String> list = get("/api/v1/queues", AdminTestKit.basic("viewer", VIEWER_PASSWORD));
    assertEquals(200, list.statusCode(), list.body());
    HttpResponse<String> forbidden = post(queuePath(key, "suspend"), AdminTestKit.basic("viewer", VIEWER_PASSWORD),
        "{\"reason\": \"should not happen\"}");
    assertEquals(403, forbidden.statusCode(), forbidden.body());
    assertEquals("forbidden", new JsonObject(forbidden.body()).getString("error"));
    assertTrue(new JsonObject(forbidden.body()).getString("message").contains("ViewOnlyOrganizationManagement"));
    assertNull(setting(key), "nothing written");
    assertEquals(List.of(), AdminTestKit.adminEvents(bootstrap, key), "no tracking event either");
  }

  @Test
  void anOrganizationAdministratorSuspendsAQueueVisibleInTheListAndOnTheControlTopic() throws Exception {
    String key = reportedQueue();
    HttpResponse<String> suspended = post(queuePath(key, "suspend"), AdminTestKit.basic("alice", PASSWORD),
        "{\"reason\": \"peer maintenance\"}");
    assertEquals(200, suspended.statusCode(), suspended.body());
    JsonObject answer = new JsonObject(suspended.body());
    assertEquals("Suspended", answer.getString("state"));
    assertEquals("alice", answer.getString("setBy"));

    ControlRecord record = setting(key);
    assertNotNull(record);
    assertEquals("Suspended", record.getState());
    assertEquals("alice", record.getSetBy());
    assertEquals("peer maintenance", record.getReason());

    HttpResponse<String> list = get("/api/v1/queues", AdminTestKit.basic("alice", PASSWORD));
    assertEquals(200, list.statusCode(), list.body());
    JsonArray queues = new JsonObject(list.body()).getJsonArray("queues");
    JsonObject queue = queues.stream().map(JsonObject.class::cast).filter(q -> key.equals(q.getString("nextHop")))
        .findFirst().orElseThrow(() -> new AssertionError("queue not listed: " + list.body()));
    assertEquals("MBX1\\" + key, queue.getString("identity"));
    assertEquals("Suspended", queue.getString("status"), "the admin setting in force outranks the reported Retry");
    assertEquals(0, queue.getInteger("messageCount"), "the index's count: no copy is queued (the event said 2)");
    assertEquals("Suspended", queue.getJsonObject("admin").getString("state"));
    assertEquals("alice", queue.getJsonObject("admin").getString("setBy"));
    assertEquals("peer maintenance", queue.getJsonObject("admin").getString("reason"));

    HttpResponse<String> retry = post(queuePath(key, "retry"), AdminTestKit.basic("alice", PASSWORD), null);
    assertEquals(409, retry.statusCode(), "retry of a suspended queue is refused: " + retry.body());
    HttpResponse<String> resumed = post(queuePath("MBX1\\" + key, "resume"), AdminTestKit.basic("alice", PASSWORD), "");
    assertEquals(200, resumed.statusCode(), "the listed server\\key identity works too: " + resumed.body());
    assertEquals("Active", setting(key).getState());

    // the audit as tracking events too: who, when, what, why (the refused retry wrote none)
    List<TrackingEvent> audit = AdminTestKit.adminEvents(bootstrap, key);
    assertEquals(2, audit.size(), "got " + audit + ", want the suspend and the resume");
    TrackingEvent suspend = audit.get(0);
    assertEquals("QUEUEACTION", suspend.getEventId());
    assertEquals("Suspend-Queue -Identity " + key + "; setBy=alice; via=api; state=Suspended",
        suspend.getSourceContext());
    assertEquals("peer maintenance", suspend.getMessageInfo());
    assertEquals(record.getSetAt(), suspend.getDateTime(), "when: the control record's setAt");
    assertEquals("127.0.0.1", suspend.getClientIp());
    assertEquals("MBX1", suspend.getServerHostname(), "the organization's server name, not the machine's");
    assertEquals("", suspend.getNetworkMessageId());
    assertNull(suspend.getQueue(), "not a queue state: Get-Queue must not take it for one");
    assertEquals("Resume-Queue -Identity " + key + "; setBy=alice; via=api; state=Active",
        audit.get(1).getSourceContext());
    assertNull(audit.get(1).getMessageInfo(), "no reason given");
  }

  @Test
  void badRequestsAreRefusedWithJsonAndChangeNothing() throws Exception {
    String key = reportedQueue();
    String alice = AdminTestKit.basic("alice", PASSWORD);
    HttpResponse<String> unknown = post(queuePath("NoSuchQueue:" + UUID.randomUUID(), "suspend"), alice, null);
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals("unknown_queue", new JsonObject(unknown.body()).getString("error"));

    HttpResponse<String> malformed = post(queuePath(key, "suspend"), alice, "{\"reason\": ");
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertEquals("bad_request", new JsonObject(malformed.body()).getString("error"));

    HttpResponse<String> notAnObject = post(queuePath(key, "suspend"), alice, "[\"reason\"]");
    assertEquals(400, notAnObject.statusCode(), notAnObject.body());
    HttpResponse<String> wrongType = post(queuePath(key, "suspend"), alice, "{\"reason\": 42}");
    assertEquals(400, wrongType.statusCode(), wrongType.body());
    HttpResponse<String> unknownKey = post(queuePath(key, "suspend"), alice, "{\"why\": \"x\"}");
    assertEquals(400, unknownKey.statusCode(), unknownKey.body());

    HttpResponse<String> oversized = post(queuePath(key, "suspend"), alice,
        "{\"reason\": \"" + "x".repeat(AdminServerOptions.BODY_LIMIT) + "\"}");
    assertEquals(413, oversized.statusCode(), oversized.body());
    assertEquals("body_too_large", new JsonObject(oversized.body()).getString("error"));

    HttpResponse<String> noAction = post(queuePath(key, "remove"), alice, null);
    assertEquals(404, noAction.statusCode(), noAction.body());
    HttpResponse<String> noRoute = get("/api/v1/nothing", alice);
    assertEquals(404, noRoute.statusCode());
    assertEquals("not_found", new JsonObject(noRoute.body()).getString("error"));

    assertNull(setting(key), "none of them wrote a setting");
    assertEquals(List.of(), AdminTestKit.adminEvents(bootstrap, key), "nor a tracking event");
  }
}
