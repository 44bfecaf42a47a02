package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mailflow run`'s one registry after real mail: every metric the Grafana dashboard queries is in the scrape
 * (so the dashboard never shows a panel over a metric that does not exist), and no meter is tagged with a
 * sender, a recipient or a message id.
 */
class NodeMetersIT {
  static final Path DASHBOARD = Path.of("..", "grafana", "mailflow-dashboard.json");
  /** Tag keys that would make one series per address or message: unbounded, and personal data. */
  static final Set<String> FORBIDDEN_TAGS = Set.of("sender", "recipient", "rcpt", "from", "to", "address",
      "message.id", "message_id", "network.message.id", "internal.message.id", "session.id", "client.ip", "user");
  /** PromQL words that are not metric names. */
  private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset");

  @TempDir static Path work;
  private static RunCommand.Running running;

  @BeforeAll
  static void start() throws Exception {
    running = startAfterOneMessage(work);
    System.gc(); // so that the GC pause timer has a sample, as it has on any process that ran a while
  }

  /**
   * `mailflow run` under {@code work} (admin server on a free loopback port) after one message over SMTP to a
   * list of two mailboxes has reached them: every stage has metered it. Also PrometheusScrapeIT's node.
   */
  static RunCommand.Running startAfterOneMessage(Path work) throws Exception {
    int smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(smtpPort, 1), "it.yaml");
    RunCommand.Running started = RunCommand.Running.start(org, work.resolve("data"), 0,
        new PrintWriter(new StringWriter()));
    try {
      MailflowRunIT.send(smtpPort, "metered", "team@contoso.test");
      assertEquals(1, MailflowRunIT.awaitMessages(work.resolve("data"), "bob@contoso.test", "metered", 1).size());
    } catch (Exception | AssertionError e) {
      started.close();
      throw e;
    }
    return started;
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  /** Metric names in the dashboard's PromQL: identifiers left once labels, ranges, strings and calls are removed. */
  static Set<String> dashboardMetrics() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        String expr = target.get("expr").asText()
            .replaceAll("\"[^\"]*\"", "")
            .replaceAll("\\{[^}]*}", "")
            .replaceAll("\\[[^]]*]", "")
            .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\()?").matcher(expr);
        while (m.find()) {
          if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1))) {
            names.add(m.group(1));
          }
        }
      }
    }
    return names;
  }

  /** Sample names (the part before labels) in Prometheus' text format. */
  static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  @Test
  void theDashboardQueriesOnlyMetricsTheNodeServes() throws Exception {
    Set<String> wanted = dashboardMetrics();
    assertTrue(wanted.size() >= 15, "the dashboard's metrics were found: " + wanted);
    assertTrue(wanted.contains("mailflow_edge_data_reply_seconds_bucket"), wanted.toString());
    // Kafka client metrics of newly assigned partitions appear within KafkaClientMeters.REFRESH
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      Set<String> served = sampleNames(running.node.meters().scrape());
      List<String> missing = new ArrayList<>(wanted);
      missing.removeAll(served);
      assertEquals(List.of(), missing, "metrics the dashboard queries that /metrics does not serve");
    });
  }

  @Test
  void theMessageMovedEveryStagesMeters() {
    String scrape = running.node.meters().scrape();
    for (String family : List.of("mailflow_edge_messages_accepted_total{connector=\"Default Frontend EX01\"} 1.0",
        "mailflow_categorizer_recipients_total{result=\"expanded\"} 2.0",
        "mailflow_routing_decisions_total{delivery_type=\"SmtpDeliveryToMailbox\"} 2.0",
        "mailflow_delivery_outcomes_total{class=\"2xx\",result=\"delivered\"} 2.0")) {
      assertTrue(scrape.contains(family), "want " + family + " in\n" + grep(scrape, family.substring(0, family.indexOf('_', 9))));
    }
  }

  @Test
  void backPressureHasALevelAndAValueGaugePerResource() {
    String scrape = running.node.meters().scrape();
    for (String resource : List.of("DatabaseUsedSpace", "PrivateBytes", "QueueLength[SubmissionQueue]")) {
      for (String gauge : List.of("mailflow_backpressure_level", "mailflow_backpressure_value")) {
        String series = gauge + "{resource=\"" + resource + "\"}";
        assertTrue(scrape.contains(series), "want " + series + " in\n" + grep(scrape, "mailflow_backpressure"));
      }
    }
    assertTrue(scrape.contains("mailflow_backpressure_overall 0.0"), grep(scrape, "mailflow_backpressure"));
  }

  @Test
  void noMeterIsTaggedWithAnAddressOrAMessageId() {
    List<String> bad = new ArrayList<>();
    for (Meter meter : running.node.meters().getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        if (FORBIDDEN_TAGS.contains(tag.getKey()) || tag.getValue().contains("@")) {
          bad.add(meter.getId().getName() + " " + tag);
        }
      }
    }
    assertFalse(running.node.meters().getMeters().isEmpty());
    assertEquals(List.of(), bad);
  }

  private static String grep(String text, String prefix) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
