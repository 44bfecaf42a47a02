package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.ProtocolDirection;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's Exchange-format files on the real pipeline (embedded broker, every stage): a message relayed through a
 * Verbose send connector to Postfix's smtp-sink leaves SEND lines in the file and on mail.protocol.v1 (direction Send),
 * and its tracking events (RECEIVE ... SEND, DELIVER) in MSGTRK and MSGTRKMD; subject logging is off here, so no
 * subject anywhere.
 */
class ExchangeLogFilesIT {
  // https://learn.microsoft.com/en-us/exchange/mail-flow/transport-logs/message-tracking#fields-in-the-message-tracking-log-files
  private static final List<String> MSGTRK_FIELDS = List.of("date-time", "client-ip", "client-hostname", "server-ip",
      "server-hostname", "source-context", "connector-id", "source", "event-id", "internal-message-id", "message-id",
      "network-message-id", "recipient-address", "recipient-status", "total-bytes", "recipient-count",
      "related-recipient-address", "reference", "message-subject", "sender-address", "return-path", "message-info",
      "directionality", "tenant-id", "original-client-ip", "original-server-ip", "custom-data",
      "transport-traffic-type", "log-id", "schema-version");

  @TempDir static Path work;
  private static Path dataDir;
  private static int smtpPort;
  private static SmtpSink sink;
  private static RunCommand.Running running;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(SmtpSink.installed(), "Postfix's smtp-sink is the real peer (ops/ci/install-test-peers.sh)");
    dataDir = work.resolve("data");
    smtpPort = TestPorts.free();
    sink = SmtpSink.start();
    Organization org = OrganizationLoader.parse("""
        serverName: EX01
        siteName: Default-First-Site-Name
        kafka: { partitions: 3, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        receiveConnectors:
          - name: Default Frontend EX01
            bindings: ["127.0.0.1:%d"]
            permissionGroups: [AnonymousUsers, ExchangeServers]
            protocolLoggingLevel: Verbose
        sendConnectors:
          - { name: Outbound, addressSpaces: ["*"], smartHosts: ["127.0.0.1:%d"], protocolLoggingLevel: Verbose }
        transportService: { messageTrackingLogSubjectLoggingEnabled: false }
        mailboxes:
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
        groups:
          - { name: Partners, primarySmtpAddress: partners@contoso.test, members: [bob@contoso.test, partner@fabrikam.test] }
        """.formatted(smtpPort, sink.port), "it.yaml");
    running = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(new StringWriter()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  void aRelayedMessageLeavesSendLinesInTheFileAndOnTheTopicAndItsTrackingInMsgtrk() throws Exception {
    String subject = "partners " + UUID.randomUUID();
    String bootstrap = running.kafka.bootstrapServers();
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<ProtocolEvent> protocol = TopicReader.fromEnd(bootstrap, Topics.PROTOCOL)) {
      MailflowRunIT.send(smtpPort, subject, "partners@contoso.test");

      List<ProtocolEvent> sent = protocol.await(p -> p.getDirection() == ProtocolDirection.Send
          && p.getData() != null && p.getData().startsWith("MAIL FROM:<carol@example.com>"), 1, Duration.ofSeconds(60));
      assertEquals("Outbound", sent.get(0).getConnectorId());
      String session = sent.get(0).getSessionId();

      Path sendDir = dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpSend");
      List<String> sendLines = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        sendLines.clear();
        sendLines.addAll(lines(sendDir, "SEND"));
        return sendLines.stream().anyMatch(l -> l.contains(session) && l.contains(",-,"));
      });
      String text = String.join("\n", sendLines);
      assertTrue(text.startsWith("#Software: mailflow\n#Version: 15.0.0.0\n#Log-type: SMTP Send Protocol Log\n"), text);
      assertTrue(text.contains("\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,"
          + "remote-endpoint,event,data,context\n"), text);
      assertTrue(text.contains(",Outbound," + session + ",0,"), "the session's first line: " + text);
      assertTrue(text.contains(",>,MAIL FROM:<carol@example.com>"), text);
      assertTrue(text.contains(",>,RCPT TO:<partner@fabrikam.test>"), text);
      assertFalse(text.contains("Default Frontend"), "receive lines stay in RECV files: " + text);

      Path recvDir = dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpReceive");
      await().atMost(Duration.ofSeconds(30)).until(() -> lines(recvDir, "RECV").stream()
          .anyMatch(l -> l.contains("<,RCPT TO:<partners@contoso.test>")));

      TrackingEvent relayed = tracking.await(e -> "SEND".equals(e.getEventId())
          && e.getRecipientAddress().contains("partner@fabrikam.test"), 1, Duration.ofSeconds(30)).get(0);
      String networkMessageId = relayed.getNetworkMessageId();
      List<TrackingEvent> all = tracking.await(e -> networkMessageId.equals(e.getNetworkMessageId()), 1,
          Duration.ofSeconds(5));
      assertTrue(all.stream().allMatch(e -> e.getMessageSubject() == null), "subject logging off: not on the topic");

      Path trackingDir = dataDir.resolve("logs").resolve("MessageTracking");
      List<CSVRecord> msgtrk = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        msgtrk.clear();
        msgtrk.addAll(records(trackingDir, "MSGTRK2", networkMessageId));
        return events(msgtrk).containsAll(List.of("RECEIVE", "EXPAND", "TRANSFER", "SEND"));
      });
      assertEquals(MSGTRK_FIELDS.size(), msgtrk.get(0).size());
      for (CSVRecord r : msgtrk) {
        assertEquals("", r.get(MSGTRK_FIELDS.indexOf("message-subject")), "subject logging off: not in the file");
        assertEquals("EX01", r.get(MSGTRK_FIELDS.indexOf("server-hostname")));
      }
      CSVRecord send = msgtrk.stream().filter(r -> r.get(8).equals("SEND")).findFirst().orElseThrow();
      assertEquals("partner@fabrikam.test", send.get(MSGTRK_FIELDS.indexOf("recipient-address")));
      assertTrue(Files.readString(Files.list(trackingDir).filter(p -> p.getFileName().toString().startsWith("MSGTRK2"))
          .findFirst().orElseThrow()).contains("#Fields: " + String.join(",", MSGTRK_FIELDS) + "\r\n"));
      await().atMost(Duration.ofSeconds(30)).until(() ->
          events(records(trackingDir, "MSGTRKMD", networkMessageId)).contains("DELIVER"));

      String scrape = running.node.meters().scrape();
      for (String log : List.of("MessageTracking", "SmtpSend", "SmtpReceive")) {
        assertTrue(scrape.contains("mailflow_log_written_total{log=\"" + log + "\"}"), log + " in\n" + scrape);
        assertTrue(scrape.contains("mailflow_log_dropped_total{log=\"" + log + "\"} 0.0"), log + " dropped none");
      }
    }
  }

  private static List<String> events(List<CSVRecord> records) {
    return records.stream().map(r -> r.get(8)).collect(Collectors.toList());
  }

  /** Every line of the files named {@code prefix}*.LOG, oldest first. */
  private static List<String> lines(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList()) {
        all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return all;
  }

  /** The records of {@code prefix} files about {@code networkMessageId}, read with Commons CSV. */
  private static List<CSVRecord> records(Path dir, String prefix, String networkMessageId) throws IOException {
    String text = String.join("\r\n", lines(dir, prefix));
    List<CSVRecord> found = new ArrayList<>();
    for (CSVRecord r : CSVFormat.DEFAULT.builder().setCommentMarker('#').get().parse(new StringReader(text))) {
      if (r.size() == MSGTRK_FIELDS.size() && r.get(MSGTRK_FIELDS.indexOf("network-message-id"))
          .equals(networkMessageId)) {
        found.add(r);
      }
    }
    return found;
  }
}
