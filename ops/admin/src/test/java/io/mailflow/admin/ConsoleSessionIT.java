package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console's sessions over real HTTP (java.net.http, cookies handled by hand so each header is seen) against
 * the embedded broker: the form login and its cookie, GET /api/v1/session, CSRF on every action a cookie
 * authenticates (and none for Basic), cross-site refusals, wrong passwords, throttling, logout, and the headers of
 * the console's page.
 */
class ConsoleSessionIT {
  private static final String PASSWORD = "correct horse";
  private static final String VIEWER_PASSWORD = "just looking";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static String bootstrap;
  private static List<Administrator> admins;
  private static AdminServer server;
  private static String base;
  private static final List<String> blocked = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static volatile boolean watching;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    // as AdminServerIT: an event loop blocked over 100 ms (a password hash on it) is recorded and fails the class
    vertx = AdminTestKit.watched(thread -> {
      if (watching) {
        blocked.add(thread.getName() + " blocked at " + java.util.Arrays.stream(thread.getStackTrace()).limit(8)
            .map(String::valueOf).collect(Collectors.joining("\n  ")));
      }
    });
    admins = List.of(
        new Administrator("alice", hash(PASSWORD), Administrator.Role.OrganizationManagement),
        new Administrator("viewer", hash(VIEWER_PASSWORD), Administrator.Role.ViewOnlyOrganizationManagement),
        // production strength: ~0.3-1 s per check, which would trip the 100 ms limit on an event loop
        new Administrator("slow", PasswordHash.create(PASSWORD.toCharArray()).encoded(),
            Administrator.Role.OrganizationManagement));
    server = startServer();
    base = server.url();
    warmUp();
    watching = true;
  }

  /**
   * One request down each path before the blocked-thread check counts: loading the classes of cookies, forms and
   * worker dispatch on first use can take over 100 ms on a busy machine, once; the check is about every request.
   */
  private static void warmUp() throws Exception {
    send("GET", "/", null);
    String cookie = logIn("alice", PASSWORD);
    send("POST", "/api/v1/queues/warm-up/suspend", cookie);
    send("GET", "/api/v1/session", cookie);
    formLogin(base, "alice", "wrong", "Origin", origin(base));
    logIn("alice", PASSWORD);
  }

  private static AdminServer startServer() throws Exception {
    return AdminServer.start(vertx, AdminServerOptions.loopback(0).withServerName("MBX1"), admins,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(List.of(), blocked, "no event loop was blocked during the whole class");
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String hash(String password) {
    return AdminTestKit.hash(password);
  }

  private static String origin(String url) {
    return url.substring(0, url.length() - 1); // http://127.0.0.1:PORT
  }

  /** POST /login as the login page's form does, with {@code headers} (e.g. Origin) besides. */
  private static HttpResponse<String> formLogin(String url, String name, String password, String... headers)
      throws Exception {
    String form = Map.of("name", name, "password", password).entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "login")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs in through the form and answers the session cookie's value. */
  private static String logIn(String name, String password) throws Exception {
    HttpResponse<String> login = formLogin(base, name, password, "Origin", origin(base));
    assertEquals(303, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    return cookie.substring(Sessions.COOKIE.length() + 1, cookie.indexOf(';'));
  }

  private static HttpResponse<String> send(String method, String path, String cookie, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path.substring(1)))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      request.header("Cookie", Sessions.COOKIE + "=" + cookie);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String csrf(String cookie) throws Exception {
    HttpResponse<String> session = send("GET", "/api/v1/session", cookie);
    assertEquals(200, session.statusCode(), session.body());
    return new JsonObject(session.body()).getString("csrfToken");
  }

  private static String reportedQueue() throws Exception {
    String key = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    TrackingEvent event = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("MBX1")
        .setSource("QUEUE").setEventId("QUEUESTATE").setNetworkMessageId("")
        .setQueue(QueueState.newBuilder().setIdentity(key).setDeliveryType("SmartHostConnectorDelivery")
            .setNextHopDomain("peer.test").setStatus("Retry").setMessageCount(2)
            .setLastError("421 4.3.2 Service not available").build())
        .build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "console-session-it")) {
      publisher.send(Topics.TRACKING, key, event).get(10, TimeUnit.SECONDS);
    }
    return key;
  }

  private static String suspendPath(String key) {
    return "/api/v1/queues/" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "/suspend";
  }

  private static ControlRecord setting(String key) {
    return AdminTestKit.setting(bootstrap, ControlKind.QUEUE, key);
  }

  @Test
  void theConsolePageIsServedWithAStrictPolicyAndNoCaching() throws Exception {
    for (String path : List.of("/", "/console.js", "/console.css", "/login")) {
      HttpResponse<String> page = send("GET", path, null);
      assertEquals(200, page.statusCode(), path);
      assertEquals(ConsoleRoutes.CONTENT_SECURITY_POLICY,
          page.headers().firstValue("Content-Security-Policy").orElse(null), path);
      assertTrue(ConsoleRoutes.CONTENT_SECURITY_POLICY.startsWith("default-src 'self';"));
      assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(null), path);
      assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null), path);
    }
    HttpResponse<String> index = send("GET", "/", null);
    assertTrue(index.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(index.body().contains("<script src=\"/console.js\" defer></script>"), index.body());
    assertFalse(index.body().replace("<script src=\"/console.js\" defer></script>", "").contains("<script"),
        "no inline script");
    assertTrue(send("GET", "/console.js", null).headers().firstValue("Content-Type").orElseThrow()
        .contains("javascript"));
    assertFalse(send("GET", "/console.js", null).body().contains("innerHTML"), "data is inserted as text only");
    assertEquals(404, send("GET", "/login.html", null).statusCode(), "the login template is not served raw");
  }

  @Test
  void aFormLoginGivesAnHttpOnlyStrictSessionCookieAndTheSessionNamesTheAdministrator() throws Exception {
    HttpResponse<String> login = formLogin(base, "alice", PASSWORD, "Origin", origin(base),
        "Sec-Fetch-Site", "same-origin");
    assertEquals(303, login.statusCode(), login.body());
    assertEquals("/", login.headers().firstValue("Location").orElseThrow());
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.matches(Sessions.COOKIE + "=[A-Za-z0-9_-]{43};.*"), setCookie);
    assertTrue(setCookie.contains("; HTTPOnly") || setCookie.contains("; HttpOnly"), setCookie);
    assertTrue(setCookie.contains("; SameSite=Strict"), setCookie);
    assertTrue(setCookie.contains("; Path=/"), setCookie);
    assertFalse(setCookie.contains("Secure"), "plain HTTP on loopback: " + setCookie);
    assertFalse(setCookie.contains("Max-Age"), "ends with the browser: " + setCookie);

    String cookie = setCookie.substring(Sessions.COOKIE.length() + 1, setCookie.indexOf(';'));
    HttpResponse<String> session = send("GET", "/api/v1/session", cookie);
    assertEquals(200, session.statusCode(), session.body());
    JsonObject body = new JsonObject(session.body());
    assertEquals("alice", body.getString("name"));
    assertEquals("OrganizationManagement", body.getString("role"));
    assertTrue(body.getString("csrfToken").matches("[A-Za-z0-9_-]{43}"), body.encode());
    assertEquals(200, send("GET", "/api/v1/queues", cookie).statusCode(), "the cookie reads the API");
    assertEquals(401, send("GET", "/api/v1/session", "forged").statusCode());
    assertEquals(401, send("GET", "/api/v1/session", null).statusCode());
  }

  @Test
  void anActionOnTheCookieNeedsTheSessionsCsrfTokenAndChangesNothingWithoutIt() throws Exception {
    String key = reportedQueue();
    String cookie = logIn("alice", PASSWORD);
    String token = csrf(cookie);

    HttpResponse<String> none = send("POST", suspendPath(key), cookie);
    assertEquals(403, none.statusCode(), none.body());
    assertEquals("csrf_token_invalid", new JsonObject(none.body()).getString("error"));
    HttpResponse<String> stale = send("POST", suspendPath(key), cookie, "X-CSRF-Token", csrf(logIn("alice", PASSWORD)));
    assertEquals(403, stale.statusCode(), "another session's token: " + stale.body());
    assertNull(setting(key), "refused: no control record written");

    HttpResponse<String> ok = send("POST", suspendPath(key), cookie, "X-CSRF-Token", token);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("alice", new JsonObject(ok.body()).getString("setBy"));
    assertEquals("alice", setting(key).getSetBy());
  }

  @Test
  void aViewOnlySessionMayReadButNotAct() throws Exception {
    String key = reportedQueue();
    String cookie = logIn("viewer", VIEWER_PASSWORD);
    assertEquals(200, send("GET", "/api/v1/queues", cookie).statusCode());
    HttpResponse<String> act = send("POST", suspendPath(key), cookie, "X-CSRF-Token", csrf(cookie));
    assertEquals(403, act.statusCode(), act.body());
    assertEquals("forbidden", new JsonObject(act.body()).getString("error"));
  }

  @Test
  void basicNeedsNoCsrfTokenButABrowsersCrossSiteRequestIsRefusedWhatever() throws Exception {
    String key = reportedQueue();
    String basic = "Basic " + Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> crossSite = send("POST", suspendPath(key), null, "Authorization", basic,
        "Sec-Fetch-Site", "cross-site");
    assertEquals(403, crossSite.statusCode(), crossSite.body());
    assertEquals("cross_site_request", new JsonObject(crossSite.body()).getString("error"));
    HttpResponse<String> otherOrigin = send("POST", suspendPath(key), null, "Authorization", basic,
        "Origin", "http://127.0.0.1:1");
    assertEquals(403, otherOrigin.statusCode(), "another port is another origin: " + otherOrigin.body());
    assertNull(setting(key));
    assertEquals(200, send("POST", suspendPath(key), null, "Authorization", basic).statusCode());
  }

  @Test
  void aWrongPasswordShowsTheLoginPageAgainWithoutSayingWhetherTheNameExists() throws Exception {
    HttpResponse<String> wrong = formLogin(base, "alice", "wrong", "Origin", origin(base));
    HttpResponse<String> unknown = formLogin(base, "nobody", "wrong", "Origin", origin(base));
    assertEquals(401, wrong.statusCode());
    assertEquals(401, unknown.statusCode());
    assertTrue(wrong.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(wrong.body().contains("data-testid=\"login-error\""), wrong.body());
    assertTrue(wrong.body().contains("Wrong name or password."), wrong.body());
    assertTrue(wrong.body().contains("<form method=\"post\" action=\"/login\""), "the form again");
    assertEquals(wrong.body(), unknown.body(), "the same page for an unknown name");
    assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
    assertEquals(400, formLogin(base, "alice", "", "Origin", origin(base)).statusCode());
    logIn("alice", PASSWORD); // and the throttle forgets this address again
  }

  @Test
  void theLoginFormRefusesPostsFromAnotherSite() throws Exception {
    for (String[] headers : List.of(new String[] {"Origin", "http://evil.test"},
        new String[] {"Sec-Fetch-Site", "cross-site"}, new String[] {"Sec-Fetch-Site", "same-site"},
        new String[] {"Origin", "null"})) {
      HttpResponse<String> login = formLogin(base, "alice", PASSWORD, headers);
      assertEquals(403, login.statusCode(), String.join(": ", headers) + " " + login.body());
      assertTrue(login.headers().firstValue("Set-Cookie").isEmpty(), "no session");
    }
  }

  @Test
  void failedLoginsThroughTheFormAreThrottledWithA429Page() throws Exception {
    AdminServer other = startServer(); // its own throttle: this address locked there only
    try {
      for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
        assertEquals(401, formLogin(other.url(), "alice", "wrong " + i).statusCode());
      }
      HttpResponse<String> throttled = formLogin(other.url(), "alice", PASSWORD);
      assertEquals(429, throttled.statusCode(), "even with the right password: " + throttled.body());
      assertTrue(throttled.body().contains("Too many failed logins"), throttled.body());
      assertTrue(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow()) > 0);
      assertTrue(throttled.headers().firstValue("Set-Cookie").isEmpty());
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFormLoginWithAProductionStrengthHashRunsOffTheEventLoop() throws Exception {
    java.util.concurrent.CompletableFuture<HttpResponse<String>> login = HTTP.sendAsync(HttpRequest.newBuilder(
            URI.create(base + "login")).header("Content-Type", "application/x-www-form-urlencoded")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
            "name=slow&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    long started = System.nanoTime();
    assertEquals(200, send("GET", "/health/live", null).statusCode());
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "live answered while the hash runs");
    assertEquals(303, login.get(60, TimeUnit.SECONDS).statusCode());
    assertEquals(List.of(), blocked);
  }

  @Test
  void logoutNeedsTheTokenThenEndsTheSessionAndClearsTheCookie() throws Exception {
    String cookie = logIn("alice", PASSWORD);
    String token = csrf(cookie);
    HttpResponse<String> refused = send("POST", "/logout", cookie);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals(200, send("GET", "/api/v1/session", cookie).statusCode(), "still logged in");

    HttpResponse<String> out = send("POST", "/logout", cookie, "X-CSRF-Token", token);
    assertEquals(204, out.statusCode(), out.body());
    String cleared = out.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cleared.startsWith(Sessions.COOKIE + "=;") && cleared.contains("Max-Age=0"), cleared);
    assertEquals(401, send("GET", "/api/v1/session", cookie).statusCode());
    HttpResponse<String> after = send("GET", "/api/v1/queues", cookie);
    assertEquals(401, after.statusCode(), after.body());
  }

  @Test
  void aBrowserScriptGetsNo401ChallengeSoNoPasswordDialogCoversTheConsole() throws Exception {
    HttpResponse<String> script = send("GET", "/api/v1/queues", "expired", "Sec-Fetch-Dest", "empty");
    assertEquals(401, script.statusCode());
    assertTrue(script.headers().allValues("WWW-Authenticate").isEmpty(), script.headers().map().toString());
    HttpResponse<String> curl = send("GET", "/api/v1/queues", null);
    assertEquals(401, curl.statusCode());
    assertFalse(curl.headers().allValues("WWW-Authenticate").isEmpty(), "other clients are challenged as before");
  }
}
