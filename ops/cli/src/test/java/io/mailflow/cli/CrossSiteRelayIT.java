package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two mailflow nodes as two Exchange servers in two AD sites: EX01 in site A and EX02 in site B, each
 * with its own embedded Kafka cluster and data dir, one organization file (only serverName and siteName
 * differ). Mail for a mailbox whose database is active on EX02, sent to EX01's edge, crosses to EX02 over
 * SMTP (EX02's connector for servers, at {@code servers[EX02].smtp}) and lands in EX02's mail store.
 */
class CrossSiteRelayIT {
  @TempDir static Path work;
  private static int ex01Edge;
  private static int ex02Edge;
  private static RunCommand.Running ex01;
  private static RunCommand.Running ex02;

  /**
   * Bob's DB02 is on EX02 only (next hop SmtpRelayToRemoteAdSite/B); Dave's DB03 is in DAG1 with copies on
   * both servers, active on EX02 (next hop SmtpRelayToDag/DAG1). Each server's edge is also where the other
   * relays to: AnonymousUsers reach accepted domains, ExchangeServers marks it as the servers' connector.
   * Anonymous sessions hold ms-Exch-Accept-Headers-Routing (mailflow has no server authentication), so a
   * relay from the other server's address keeps its network message id.
   */
  static String organizationYaml(String server, String site, int ex01Port, int ex02Port) {
    return """
        serverName: %s
        siteName: %s
        kafka: { partitions: 2, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, default: true } ]
        receiveConnectors:
          - name: Default %s
            bindings: ["127.0.0.1:%d"]
            permissionGroups: [AnonymousUsers, ExchangeServers]
            permissions:
              - { user: 'NT AUTHORITY\\ANONYMOUS LOGON', extendedRights: [ms-Exch-Accept-Headers-Routing] }
        transportService: { intraOrgConnectorProtocolLoggingLevel: Verbose }
        sites: [ {name: A}, {name: B} ]
        siteLinks: [ {name: A-B, sites: [A, B], cost: 10} ]
        servers:
          - { name: EX01, site: A, smtp: "127.0.0.1:%d" }
          - { name: EX02, site: B, smtp: "127.0.0.1:%d" }
        databases:
          - { name: DB01, copies: [EX01] }
          - { name: DB02, copies: [EX02] }
          - { name: DB03, copies: [EX01, EX02], activeServer: EX02, dag: DAG1 }
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test, database: DB01 }
          - { name: Bob, primarySmtpAddress: bob@contoso.test, database: DB02 }
          - { name: Dave, primarySmtpAddress: dave@contoso.test, database: DB03 }
        """.formatted(server, site, server, server.equals("EX01") ? ex01Port : ex02Port, ex01Port, ex02Port);
  }

  @BeforeAll
  static void start() throws Exception {
    ex01Edge = TestPorts.free();
    ex02Edge = TestPorts.free();
    Organization siteA = OrganizationLoader.parse(organizationYaml("EX01", "A", ex01Edge, ex02Edge), "ex01.yaml");
    Organization siteB = OrganizationLoader.parse(organizationYaml("EX02", "B", ex01Edge, ex02Edge), "ex02.yaml");
    ex02 = RunCommand.Running.start(siteB, work.resolve("ex02"), 0, new PrintWriter(new StringWriter()));
    ex01 = RunCommand.Running.start(siteA, work.resolve("ex01"), 0, new PrintWriter(new StringWriter()));
  }

  @AfterAll
  static void stop() {
    try {
      if (ex01 != null) {
        ex01.close();
      }
    } finally {
      if (ex02 != null) {
        ex02.close();
      }
    }
  }

  @Test
  void mailForAMailboxInTheOtherSiteIsRelayedToThatSitesServerAndLandsInItsStore() throws Exception {
    String subject = "cross-site " + UUID.randomUUID();
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(ex01.kafka.bootstrapServers(), Topics.TRACKING);
        TopicReader<TrackingEvent> tracking02 = TopicReader.fromEnd(ex02.kafka.bootstrapServers(), Topics.TRACKING)) {
      MailflowRunIT.send(ex01Edge, subject, "bob@contoso.test");

      List<String> delivered = awaitMessages(work.resolve("ex02"), "DB02", "bob@contoso.test", subject);
      assertEquals(1, delivered.size(), "bob's copy in EX02's store");
      String message = delivered.get(0);
      assertTrue(message.contains("by EX01 with mailflow (mail.delivery.v1)"), "EX01's delivery hop: " + message);
      assertTrue(message.contains("by EX02 with mailflow (mail.delivery.v1)"), "EX02's delivery hop: " + message);
      assertEquals(List.of(), messages(work.resolve("ex01"), "DB02", "bob@contoso.test", subject),
          "nothing for bob in EX01's store");

      TrackingEvent send = tracking.await(e -> subject.equals(e.getMessageSubject())
          && "SEND".equals(e.getEventId()), 1, Duration.ofSeconds(30)).get(0);
      assertEquals("SMTP", send.getSource());
      assertEquals("Intra-Organization SMTP Send Connector", send.getConnectorId());
      assertEquals("127.0.0.1", send.getServerIp());
      assertTrue(send.getSourceContext().contains("SmtpRelayToRemoteAdSite/B")
          && send.getSourceContext().contains("servers EX02")
          && send.getSourceContext().contains("127.0.0.1:" + ex02Edge), send.getSourceContext());
      assertTrue(String.join(" ", send.getRecipientStatus()).startsWith("250"), "EX02's reply: "
          + send.getRecipientStatus());

      // one network message id across both servers, as Exchange's X-MS-Exchange-Organization-Network-Message-Id
      List<TrackingEvent> onEx02 = tracking02.await(e -> subject.equals(e.getMessageSubject())
          && List.of("RECEIVE", "DELIVER").contains(e.getEventId()), 2, Duration.ofSeconds(30));
      assertEquals(List.of("RECEIVE", "DELIVER"), onEx02.stream().map(TrackingEvent::getEventId).toList());
      for (TrackingEvent e : onEx02) {
        assertEquals(send.getNetworkMessageId(), e.getNetworkMessageId(), e.getEventId() + " on EX02");
      }
      assertTrue(!message.contains("X-MS-Exchange-Organization-Network-Message-Id"),
          "the edge takes the field into the envelope: " + message);

      // each server's own Exchange-format files: EX01's relay session (intraOrgConnectorProtocolLoggingLevel
      // Verbose) and SEND event, EX02's mailbox delivery in MSGTRKMD
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> text(work.resolve("ex01")
          .resolve("logs/ProtocolLog/SmtpSend"), "SEND").contains(",>,RCPT TO:<bob@contoso.test>"));
      assertTrue(text(work.resolve("ex01").resolve("logs/ProtocolLog/SmtpSend"), "SEND")
          .contains(",Intra-Organization SMTP Send Connector,"));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> text(work.resolve("ex01")
          .resolve("logs/MessageTracking"), "MSGTRK2").contains(",SEND," + send.getInternalMessageId() + ","));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> text(work.resolve("ex02")
          .resolve("logs/MessageTracking"), "MSGTRKMD").lines()
          .anyMatch(l -> l.contains(",DELIVER,") && l.contains(send.getNetworkMessageId())));
    }
  }

  /** The files of {@code dir} named {@code prefix}*, concatenated; empty when there are none yet. */
  private static String text(Path dir, String prefix) throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return "";
    }
    StringBuilder all = new StringBuilder();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList()) {
        all.append(java.nio.file.Files.readString(f));
      }
    }
    return all.toString();
  }

  @Test
  void mailForADagDatabaseGoesToTheServerOfItsActiveCopy() throws Exception {
    String subject = "dag " + UUID.randomUUID();
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(ex01.kafka.bootstrapServers(), Topics.TRACKING)) {
      MailflowRunIT.send(ex01Edge, subject, "dave@contoso.test");

      assertEquals(1, awaitMessages(work.resolve("ex02"), "DB03", "dave@contoso.test", subject).size(),
          "dave's copy in EX02's store, where DB03 is active");
      TrackingEvent send = tracking.await(e -> subject.equals(e.getMessageSubject())
          && "SEND".equals(e.getEventId()), 1, Duration.ofSeconds(30)).get(0);
      assertTrue(send.getSourceContext().contains("SmtpRelayToDag/DAG1"), send.getSourceContext());
    }
  }

  @Test
  void mailForThisSiteStaysHere() throws Exception {
    String subject = "local " + UUID.randomUUID();
    MailflowRunIT.send(ex01Edge, subject, "alice@contoso.test");

    assertEquals(1, awaitMessages(work.resolve("ex01"), "DB01", "alice@contoso.test", subject).size());
  }

  private static List<String> awaitMessages(Path dataDir, String database, String address, String subject)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> found = List.of();
    while (found.isEmpty() && System.nanoTime() < deadline) {
      found = messages(dataDir, database, address, subject);
      if (found.isEmpty()) {
        Thread.sleep(50);
      }
    }
    return found;
  }

  private static List<String> messages(Path dataDir, String database, String address, String subject)
      throws IOException {
    Path dir = dataDir.resolve("mailstore").resolve(database).resolve(address).resolve("Maildir").resolve("new");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.contains("Subject: " + subject)) {
          found.add(text);
        }
      }
    }
    return found;
  }
}
