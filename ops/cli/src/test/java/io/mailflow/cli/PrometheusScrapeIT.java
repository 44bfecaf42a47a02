package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * A real Prometheus (Debian's {@code prometheus}; ops/ci/install-test-peers.sh installs it) scrapes a running
 * node with ops/prometheus/prometheus.yml's {@code mailflow-run} job — the same job, only its target's port
 * and the interval changed — and answers the edge's accepted-messages counter after one message over SMTP.
 * Skips without the binary; fails without it when CI is set.
 */
class PrometheusScrapeIT {
  static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path work;
  private static RunCommand.Running running;
  private static Process prometheus;
  private static String prometheusUrl;

  @BeforeAll
  static void start() throws Exception {
    require();
    running = NodeMetersIT.startAfterOneMessage(work);
    URI admin = URI.create(running.node.adminUrl());
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, scrapeConfig(Files.readString(PrometheusConfigTest.CONFIG),
        admin.getHost() + ":" + admin.getPort()));
    int port = TestPorts.free();
    prometheusUrl = "http://127.0.0.1:" + port;
    prometheus = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (prometheus != null) {
        prometheus.destroy(); // SIGTERM to this one PID: Prometheus shuts down cleanly
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      if (running != null) {
        running.close();
      }
    }
  }

  static void require() {
    TestPeer.require(BINARY,
        "Prometheus is not installed (Debian's prometheus; ops/ci/install-test-peers.sh installs it)");
  }

  /**
   * ops/prometheus/prometheus.yml reduced to its {@code mailflow-run} job, scraping {@code target} instead of
   * 127.0.0.1:2580, every second: the job's path, labels and everything else stay as shipped.
   */
  @SuppressWarnings("unchecked")
  static String scrapeConfig(String shipped, String target) {
    Map<String, Object> config = new Yaml().load(shipped);
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
    Map<String, Object> run = jobs.stream().filter(j -> "mailflow-run".equals(j.get("job_name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no job mailflow-run in " + jobs));
    List<Map<String, Object>> targets = (List<Map<String, Object>>) run.get("static_configs");
    assertEquals(List.of("127.0.0.1:2580"), targets.get(0).get("targets"), "the shipped target changed");
    targets.get(0).put("targets", List.of(target));
    Map<String, Object> global = new LinkedHashMap<>((Map<String, Object>) config.get("global"));
    global.put("scrape_interval", "1s");
    global.put("scrape_timeout", "1s");
    global.put("evaluation_interval", "1s");
    config.put("global", global);
    config.put("scrape_configs", new ArrayList<>(List.of(run)));
    return new Yaml().dump(config);
  }

  private static JsonObject api(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("success", body.getString("status"), response.body());
    return body.getJsonObject("data");
  }

  private static String log() {
    try {
      return Files.readString(work.resolve("prometheus.log"));
    } catch (Exception e) {
      return e.toString();
    }
  }

  @Test
  void prometheusScrapesTheNodeAndSeesTheAcceptedMessage() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertTrue(prometheus.isAlive(), "prometheus exited:\n" + log());
      JsonArray active = api("/api/v1/targets?state=active").getJsonArray("activeTargets");
      assertEquals(1, active.size(), active.encodePrettily());
      JsonObject target = active.getJsonObject(0);
      assertEquals("mailflow-run", target.getJsonObject("labels").getString("job"));
      assertEquals("run", target.getJsonObject("labels").getString("role"), "the shipped job's label");
      assertEquals("up", target.getString("health"), target.encodePrettily());
    });
    String query = "/api/v1/query?query=" + URLEncoder.encode("mailflow_edge_messages_accepted_total",
        StandardCharsets.UTF_8);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      JsonArray result = api(query).getJsonArray("result");
      assertFalse(result.isEmpty(), "no sample of mailflow_edge_messages_accepted_total yet");
      double value = Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
      assertTrue(value >= 1, "got " + value + ", want at least 1: " + result.encodePrettily());
      assertEquals("mailflow-run", result.getJsonObject(0).getJsonObject("metric").getString("job"));
    });
  }
}
