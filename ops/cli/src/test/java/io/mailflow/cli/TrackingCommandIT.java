package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.TrackingIndex;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mailflow tracking search|report` against the embedded broker's real mail.tracking.v1: a temporary index from
 * --bootstrap, and a node's index read-only from --data-dir while the node's writer keeps it open; the table, JSON
 * and CSV outputs; the report's timeline; every bad option one line with exit 2.
 */
class TrackingCommandIT {
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String SENDER = "erin-" + RUN + "@contoso.test";
  private static final String BOB = "bob-" + RUN + "@contoso.test";
  private static final String NMID = "nmid-cli-" + RUN;
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(300);
  private static String bootstrap;

  @TempDir
  Path work;

  @BeforeAll
  static void events() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    Envelope env = Envelope.newBuilder().setNetworkMessageId(NMID).setSender(SENDER)
        .setMessageIdHeader("<cli-" + RUN + "@contoso.test>").setSubject("Quarterly, \"final\" " + RUN).setSize(900)
        .setReceivedAt(T0).setReceivingServer("EX01").setSessionId("s1").setClientIp("127.0.0.1")
        .setReceiveConnector("Default Frontend EX01").setClientHostname("client.test").build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "tracking-command-it")) {
      publisher.track(at("EX01", 0).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(BOB), List.of())
          .build()).get(30, TimeUnit.SECONDS);
      publisher.track(at("EX02", 1).about(env, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, List.of(BOB),
          List.of("250 2.0.0 OK")).build()).get(30, TimeUnit.SECONDS);
    }
  }

  private static Tracking at(String server, long seconds) {
    return new Tracking(server, Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC));
  }

  @Test
  void searchFromATemporaryIndexInEachFormat() throws Exception {
    CliRun table = mailflow("tracking", "search", "--bootstrap", bootstrap, "--sender", SENDER);
    assertEquals(0, table.exit(), table.err());
    List<String> lines = table.out().lines().toList();
    assertTrue(lines.get(0).startsWith("Timestamp"), table.out());
    assertTrue(lines.get(0).contains("RecipientStatus"), table.out());
    assertEquals(3, lines.size(), table.out());
    assertTrue(lines.get(1).contains("RECEIVE") && lines.get(1).contains("EX01"), table.out());
    assertTrue(lines.get(2).contains("DELIVER") && lines.get(2).contains("250 2.0.0 OK"), table.out());
    assertTrue(table.err().contains("indexing mail.tracking.v1 of " + bootstrap), "progress on stderr: "
        + table.err());
    assertTrue(table.err().contains("2 of 2 events, searched in "), table.err());

    CliRun json = mailflow("tracking", "search", "--bootstrap", bootstrap, "--network-message-id", NMID,
        "--format", "json");
    assertEquals(0, json.exit(), json.err());
    JsonObject page = new JsonObject(json.out());
    assertEquals(2, page.getLong("total"));
    assertEquals("DELIVER", page.getJsonArray("events").getJsonObject(1).getString("event-id"));
    assertEquals(SENDER, page.getJsonArray("events").getJsonObject(1).getString("sender-address"));

    CliRun csv = mailflow("tracking", "search", "--bootstrap", bootstrap, "--recipients", "nobody@x.test," + BOB,
        "--event-id", "deliver", "--format", "csv");
    assertEquals(0, csv.exit(), csv.err());
    List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
        .parse(new StringReader(csv.out())).getRecords();
    assertEquals(1, rows.size(), csv.out());
    assertTrue(csv.out().startsWith("date-time,client-ip,client-hostname,server-ip,server-hostname,"), csv.out());
    assertEquals("DELIVER", rows.get(0).get("event-id"));
    assertEquals("Quarterly, \"final\" " + RUN, rows.get(0).get("message-subject"), "quoted by the CSV printer");
    assertEquals(BOB, rows.get(0).get("recipient-address"));
  }

  @Test
  void reportShowsTheRecipientsTimeline() {
    CliRun text = mailflow("tracking", "report", "<cli-" + RUN + "@contoso.test>", "--bootstrap", bootstrap);
    assertEquals(0, text.exit(), text.err());
    assertTrue(text.out().contains("Servers:            EX01, EX02"), text.out());
    assertTrue(text.out().contains(BOB + ": Delivered"), text.out());
    assertTrue(text.out().lines().anyMatch(l -> l.contains("EX02") && l.contains("DELIVER") && l.contains("250 2.0.0")),
        text.out());
    CliRun json = mailflow("tracking", "report", NMID, "--bootstrap", bootstrap, "--format", "json");
    assertEquals(0, json.exit(), json.err());
    assertEquals("Delivered", new JsonObject(json.out()).getJsonArray("recipients").getJsonObject(0)
        .getString("status"));
    CliRun unknown = mailflow("tracking", "report", "nmid-nobody-" + RUN, "--bootstrap", bootstrap);
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("'nmid-nobody-" + RUN + "'"), unknown.err());
  }

  @Test
  void aNodesIndexIsSearchedReadOnlyWhileTheNodeWrites() throws Exception {
    Path dataDir = work.resolve("node");
    try (FederatedTrackingSearch node = FederatedTrackingSearch.open(dataDir.resolve("tracking-index"),
        List.of(new FederatedTrackingSearch.Cluster("EX01 at " + bootstrap, bootstrap)),
        TrackingIndex.Options.defaults())) {
      assertTrue(node.awaitCaughtUp(Duration.ofSeconds(60)));
      // a reader sees the node's last commit (every second)
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> mailflow("tracking", "search",
          "--data-dir", dataDir.toString(), "--sender", SENDER).out().lines().count() == 3);
      CliRun run = mailflow("tracking", "search", "--data-dir", dataDir.toString(), "--sender", SENDER);
      assertEquals(0, run.exit(), run.err());
      assertEquals(3, run.out().lines().count(), run.out());
      assertTrue(!run.err().contains("indexing"), "no temporary index: " + run.err());
      CliRun report = mailflow("tracking", "report", NMID, "--data-dir", dataDir.toString());
      assertEquals(0, report.exit(), report.err());
      assertTrue(report.out().contains("Delivered"), report.out());
    }
  }

  @Test
  void badOptionsAreOneLineNamingOptionAndValueWithExit2() {
    bad("--sender 'not an address' is not an SMTP address", "search", "--bootstrap", bootstrap, "--sender",
        "not an address");
    bad("--start 'yesterday' is not a time", "search", "--bootstrap", bootstrap, "--start", "yesterday");
    bad("--event-id 'DELIVERED' is not one of", "search", "--bootstrap", bootstrap, "--event-id", "DELIVERED");
    bad("--start '2026-12-02'", "search", "--bootstrap", bootstrap, "--start", "2026-12-02", "--end", "2026-12-01");
    bad("--result-size '0'", "search", "--bootstrap", bootstrap, "--result-size", "0");
    bad("--format 'xml' is not one of table, json, csv", "search", "--bootstrap", bootstrap, "--format", "xml");
    bad("--format 'csv' is not one of text, json", "report", "x", "--bootstrap", bootstrap, "--format", "csv");
    bad("--data-dir '" + work.resolve("none") + "' holds no message-tracking index", "search", "--data-dir",
        work.resolve("none").toString());
    bad("--bootstrap 'nohost' is not a list of host:port", "search", "--bootstrap", "nohost");
  }

  private static void bad(String says, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "tracking";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRun run = mailflow(all);
    assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.err());
    assertEquals(1, run.err().lines().count(), "one line: " + run.err());
    assertTrue(run.err().contains(says), "want '" + says + "' in " + run.err());
    assertEquals("", run.out());
  }
}
