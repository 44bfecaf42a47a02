package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as `mailflow run` starts it (on ephemeral ports): the admin server's address printed with the other
 * listeners, the demo administrator's password printed once, /health/ready turning 200 once every stage is in
 * its group, /metrics from the node's registry, and /api/v1/queues with the printed password.
 */
class AdminServerRunIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path work;
  private static RunCommand.Running running;
  private static String printed;
  private static String firstStart;
  private static String adminPassword;
  private static String adminUrl;

  @BeforeAll
  static void start() {
    Path dataDir = work.resolve("data");
    DemoCredentials.Applied demo = DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    StringWriter credentials = new StringWriter();
    DemoCredentials.print(demo, new PrintWriter(credentials, true));
    firstStart = credentials.toString();
    Matcher password = Pattern.compile("(?m)^password      admin  (\\S+)  \\(admin server, OrganizationManagement\\)$")
        .matcher(firstStart);
    assertTrue(password.find(), firstStart);
    adminPassword = password.group(1);

    Organization org = DemoSubmissionIT.onEphemeralPorts(demo.organization())
        .withCredentials(demo.organization().mailboxes(), demo.organization().administrators());
    StringWriter out = new StringWriter();
    running = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(out, true));
    printed = out.toString();
    Matcher admin = Pattern.compile("(?m)^admin         (http://127\\.0\\.0\\.1:\\d+/)$").matcher(printed);
    assertTrue(admin.find(), printed);
    adminUrl = admin.group(1);
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  private static HttpResponse<String> get(String path, String password) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl + path)).timeout(Duration.ofSeconds(30));
    if (password != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theDemoAdministratorsPasswordIsPrintedOnceAndKeptOwnerOnly() throws Exception {
    Path dataDir = work.resolve("data");
    DemoCredentials.Applied again = DemoCredentials.apply(OrganizationLoader.demo(), dataDir);
    StringWriter later = new StringWriter();
    DemoCredentials.print(again, new PrintWriter(later, true));
    assertFalse(later.toString().contains(adminPassword), "a later start does not print it again: " + later);
    assertTrue(later.toString().contains("demo mailbox and admin passwords in"), later.toString());
    String kept = java.nio.file.Files.readString(dataDir.resolve(DemoCredentials.DIR).resolve(DemoCredentials.PASSWORDS));
    assertTrue(kept.contains("admin " + adminPassword), "kept beside the mailbox passwords");
  }

  @Test
  void readyTurns200OnceTheBrokerStagesAndListenersAreUp() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      HttpResponse<String> ready = get("health/ready", null);
      assertEquals(200, ready.statusCode(), ready.body());
    });
    JsonObject checks = new JsonObject(uncheckedGet("health/ready").body()).getJsonObject("checks");
    for (String check : new String[] {"broker", "delivery", "routing", "categorizer", "edge", "backPressure"}) {
      assertTrue(checks.getJsonObject(check).getBoolean("ready"), check + ": " + checks);
    }
    // the edge's back pressure names every resource it watches and its level
    String pressure = checks.getJsonObject("backPressure").getString("detail");
    assertTrue(pressure.startsWith("Low: DatabaseUsedSpace[") && pressure.contains("; PrivateBytes = ")
        && pressure.contains("; QueueLength[SubmissionQueue] = "), pressure);
  }

  private static HttpResponse<String> uncheckedGet(String path) {
    try {
      return get(path, null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void metricsServeTheNodesRegistry() throws Exception {
    running.node.meters().counter("mailflow.node.test").increment();
    HttpResponse<String> metrics = get("metrics", null);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
    assertTrue(metrics.body().contains("mailflow_node_test_total 1.0"), metrics.body());
  }

  @Test
  void queuesAnswerTheDemoAdministratorWithThePrintedPassword() throws Exception {
    assertEquals(401, get("api/v1/queues", null).statusCode());
    HttpResponse<String> queues = get("api/v1/queues", adminPassword);
    assertEquals(200, queues.statusCode(), queues.body());
    assertTrue(new JsonObject(queues.body()).containsKey("queues"), queues.body());
  }

  @Test
  void theNodeHostsItsTrackingIndexInTheDataDir() throws Exception {
    HttpResponse<String> status = get("api/v1/tracking/status", adminPassword);
    assertEquals(200, status.statusCode(), status.body());
    JsonObject cluster = new JsonObject(status.body()).getJsonArray("clusters").getJsonObject(0);
    assertTrue(cluster.getString("name").startsWith("EX01 at 127.0.0.1:"), status.body());
    assertTrue(java.nio.file.Files.isRegularFile(work.resolve("data").resolve("tracking-index").resolve("clusters.tsv")),
        "<data-dir>/tracking-index/clusters.tsv");
    HttpResponse<String> search = get("api/v1/tracking?eventId=DELIVER&start=-1h", adminPassword);
    assertEquals(200, search.statusCode(), search.body());
    assertEquals(new io.vertx.core.json.JsonArray(), new JsonObject(search.body()).getJsonArray("unreachable"));
  }
}
