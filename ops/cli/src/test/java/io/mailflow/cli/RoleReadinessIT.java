package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role process (routing) against a broker of its own: its admin server on any free port (the role default),
 * printed; ready once routing is in its group; when the broker goes away, 503 naming the broker check.
 */
class RoleReadinessIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path work;

  private static HttpResponse<String> ready(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url + "health/ready")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyFollowsTheBrokerAndTheStage() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0);
    Node node = null;
    try {
      Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(TestPorts.free(), 1), "it.yaml");
      StringWriter out = new StringWriter();
      node = Node.start(kafka.bootstrapServers(), org, work.resolve("data"), work.resolve("data/mailstore"),
          EnumSet.of(Role.ROUTING),
          new PrintWriter(out, true), (short) 1, new Node.AdminListener(null, 0));
      Matcher admin = Pattern.compile("(?m)^admin         (http://127\\.0\\.0\\.1:(\\d+)/)$").matcher(out.toString());
      assertTrue(admin.find(), out.toString());
      assertFalse(admin.group(2).equals("2580"), "a role process takes any free port");
      String url = admin.group(1);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .untilAsserted(() -> assertEquals(200, ready(url).statusCode()));
      JsonObject up = new JsonObject(ready(url).body()).getJsonObject("checks");
      assertEquals(java.util.Set.of("broker", "routing"), up.fieldNames(), "a routing process checks only its own");

      kafka.close();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
        HttpResponse<String> down = ready(url);
        assertEquals(503, down.statusCode(), down.body());
        JsonObject broker = new JsonObject(down.body()).getJsonObject("checks").getJsonObject("broker");
        assertFalse(broker.getBoolean("ready"), down.body());
        assertTrue(broker.getString("detail").startsWith("Kafka at " + kafka.bootstrapServers() + " did not answer"),
            down.body());
      });
    } finally {
      if (node != null) {
        node.close();
      }
      kafka.close();
    }
  }
}
