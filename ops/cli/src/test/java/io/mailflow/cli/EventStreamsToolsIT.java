package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event streams read by standard tools, as an admin would: `mailflow run` takes a real message (edge, categorizer,
 * routing, delivery to the mailbox), then Debian's kcat reads the topic off the embedded broker and jq picks events
 * by Exchange's field names. With Avro the same pipe gets no JSON (the setting really switches); with Both the JSON
 * is on the twin topic.
 */
class EventStreamsToolsIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir Path work;

  @BeforeAll
  static void peers() {
    TestPeer.require(Path.of("/usr/bin/kcat"), "kcat is not installed (ops/ci/install-test-peers.sh installs it)");
    TestPeer.require(Path.of("/usr/bin/jq"), "jq is not installed (ops/ci/install-test-peers.sh installs it)");
  }

  static Organization organization(int smtpPort, String formats) throws Exception {
    return OrganizationLoader.parse("""
        serverName: EX01
        siteName: Default-First-Site-Name
        kafka: { partitions: 2, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        receiveConnectors:
          - name: Default Frontend EX01
            bindings: ["127.0.0.1:%d"]
            permissionGroups: [AnonymousUsers]
            protocolLoggingLevel: Verbose
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test }
        transportService: { %s }
        """.formatted(smtpPort, formats), "events-it.yaml");
  }

  /** Output of {@code bash -c pipeline}, stdout and exit status. */
  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  static Run shell(String pipeline) throws Exception {
    Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", pipeline).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + pipeline);
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** Runs {@code pipeline} until its output has a line {@code done} accepts (the events arrive as mail flows). */
  static Run awaitLine(String pipeline, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    Run run = shell(pipeline);
    while (run.lines().stream().noneMatch(done) && System.nanoTime() < deadline) {
      Thread.sleep(300);
      run = shell(pipeline);
    }
    return run;
  }

  static String kcat(String bootstrap, String topic) {
    return "kcat -b " + bootstrap + " -C -t " + topic + " -o beginning -e -q";
  }

  @Test
  void jsonByDefaultKcatAndJqReadTrackingAndProtocolEventsByExchangesNames() throws Exception {
    int smtpPort = TestPorts.free();
    try (RunCommand.Running running = RunCommand.Running.start(organization(smtpPort, ""), work.resolve("data"), 0,
        new PrintWriter(new StringWriter()))) {
      String bootstrap = running.kafka.bootstrapServers();
      String subject = "kcat " + UUID.randomUUID();
      MailflowRunIT.send(smtpPort, subject, "alice@contoso.test");

      Run receive = awaitLine(kcat(bootstrap, Topics.TRACKING.name())
          + " | jq -c 'select(.\"event-id\"==\"RECEIVE\")'", l -> l.contains(subject));
      assertEquals(0, receive.exit(), receive.err());
      JsonNode event = MAPPER.readTree(receive.lines().stream().filter(l -> l.contains(subject)).findFirst().orElseThrow());
      assertEquals("RECEIVE", event.get("event-id").textValue());
      assertEquals("carol@example.com", event.get("sender-address").textValue());
      assertEquals("alice@contoso.test", event.get("recipient-address").get(0).textValue());
      String networkMessageId = event.get("network-message-id").textValue();
      assertFalse(networkMessageId.isBlank());
      assertTrue(event.get("date-time").textValue().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
          event.get("date-time").textValue());

      Run deliver = awaitLine(kcat(bootstrap, Topics.TRACKING.name()) + " | jq -c 'select(.\"event-id\"==\"DELIVER\""
          + " and .\"network-message-id\"==\"" + networkMessageId + "\")'", l -> l.contains(networkMessageId));
      assertEquals(1, deliver.lines().size(), deliver.out());
      assertEquals("alice@contoso.test",
          MAPPER.readTree(deliver.lines().get(0)).get("recipient-address").get(0).textValue());

      Run mailFrom = awaitLine(kcat(bootstrap, Topics.PROTOCOL.name())
          + " | jq -c 'select(.data != null and (.data | startswith(\"MAIL FROM:<carol@example.com>\")))'",
          l -> l.contains("carol@example.com"));
      assertEquals(0, mailFrom.exit(), mailFrom.err());
      JsonNode line = MAPPER.readTree(mailFrom.lines().get(0));
      assertEquals("<", line.get("event").textValue());
      assertTrue(line.get("connector-id").textValue().contains("Default Frontend EX01"), line.toString());
      assertFalse(line.get("session-id").textValue().isBlank());

      // every record says what it is
      Run headers = shell("kcat -b " + bootstrap + " -C -t " + Topics.TRACKING.name() + " -o beginning -e -q -f '%h\\n'");
      assertTrue(headers.lines().stream().allMatch(h -> h.equals("content-type=application/json")), headers.out());

      // `mailflow events tail` prints what the topic holds, byte for byte
      Run raw = shell(kcat(bootstrap, Topics.TRACKING.name()) + " -p 0; " + kcat(bootstrap, Topics.TRACKING.name())
          + " -p 1");
      CliRun tailed = CliRun.mailflow("events", "tail", "--topic", "tracking", "--bootstrap", bootstrap,
          "--from-beginning", "--idle-exit", "2");
      assertEquals(0, tailed.exit(), tailed.err());
      assertEquals(Set.copyOf(raw.lines()), Set.copyOf(tailed.out().lines().toList()));
      assertEquals(raw.lines().size(), tailed.out().lines().count());
    }
  }

  @Test
  void avroKeepsJqFromReadingTheTopicAndBothPutsTheJsonOnTheTwin() throws Exception {
    int smtpPort = TestPorts.free();
    try (RunCommand.Running running = RunCommand.Running.start(
        organization(smtpPort, "trackingEventFormat: Avro, protocolEventFormat: Both"), work.resolve("data"), 0,
        new PrintWriter(new StringWriter()))) {
      String bootstrap = running.kafka.bootstrapServers();
      String subject = "avro " + UUID.randomUUID();
      MailflowRunIT.send(smtpPort, subject, "alice@contoso.test");
      String tracking = Topics.TRACKING.name();

      // Avro: the records are there (kcat sees them and their header), but they are not JSON
      Run headers = awaitLine("kcat -b " + bootstrap + " -C -t " + tracking + " -o beginning -e -q -f '%h\\n'",
          l -> l.equals("content-type=application/vnd.mailflow.avro"));
      assertTrue(headers.lines().size() >= 2, headers.out());
      assertTrue(headers.lines().stream().allMatch(h -> h.equals("content-type=application/vnd.mailflow.avro")),
          headers.out());
      Run jq = shell(kcat(bootstrap, tracking) + " | jq -c 'select(.\"event-id\"==\"RECEIVE\")'");
      assertNotEquals(0, jq.exit(), "jq cannot parse Avro: " + jq.out());
      assertTrue(jq.err().contains("parse error") || jq.err().contains("Invalid"), jq.err());
      // ... and mailflow's readers still read them
      Run tail = awaitLine(kcat(bootstrap, Topics.PROTOCOL_JSON.name()) + " | jq -c 'select(.event == \"+\")'",
          l -> l.contains("\"event\":\"+\""));
      assertEquals(0, tail.exit(), tail.err());

      try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertTrue(topics.contains(Topics.PROTOCOL_JSON.name()), "Both: the protocol log's JSON twin: " + topics);
        assertFalse(topics.contains(Topics.TRACKING_JSON.name()), "Avro alone: no tracking twin: " + topics);
      }
      // Both: Avro on mail.protocol.v1, the same events as JSON on the twin, as many
      Run avroProtocol = shell("kcat -b " + bootstrap + " -C -t " + Topics.PROTOCOL.name() + " -o beginning -e -q -f '%h\\n'");
      Run jsonProtocol = shell(kcat(bootstrap, Topics.PROTOCOL_JSON.name()) + " | jq -c .");
      assertTrue(avroProtocol.lines().stream().allMatch(h -> h.equals("content-type=application/vnd.mailflow.avro")));
      assertEquals(avroProtocol.lines().size(), jsonProtocol.lines().size());
      List<String> sessions = new ArrayList<>();
      for (String l : jsonProtocol.lines()) {
        sessions.add(MAPPER.readTree(l).get("session-id").textValue());
      }
      assertFalse(sessions.isEmpty());

      CliRun tailed = CliRun.mailflow("events", "tail", "--topic", "tracking", "--bootstrap", bootstrap,
          "--from-beginning", "--idle-exit", "2");
      assertEquals(0, tailed.exit(), tailed.err());
      assertTrue(tailed.out().contains("\"message-subject\":\"" + subject + "\""),
          "events tail reads the Avro topic as JSON: " + tailed.out());
    }
  }
}
