package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.schemas.codec.EventJson;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline in one JVM, as `mailflow run` starts it: embedded broker, edge, categorizer,
 * routing, delivery; a real SMTP client in front and, for relayed mail, Postfix's smtp-sink behind.
 */
class MailflowRunIT {
  @TempDir static Path work;
  private static Path dataDir;
  private static int smtpPort;
  private static SmtpSink sink;
  private static RunCommand.Running running;

  static String organizationYaml(int smtpPort, int sinkPort) {
    return """
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
          - { name: Outbound, addressSpaces: ["*"], smartHosts: ["127.0.0.1:%d"] }
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test, proxyAddresses: [a.smith@contoso.test] }
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
        groups:
          - { name: Team, primarySmtpAddress: team@contoso.test, members: [alice@contoso.test, bob@contoso.test] }
          - { name: Partners, primarySmtpAddress: partners@contoso.test, members: [bob@contoso.test, partner@fabrikam.test] }
        """.formatted(smtpPort, sinkPort);
  }

  @BeforeAll
  static void start() throws Exception {
    dataDir = work.resolve("data");
    smtpPort = TestPorts.free();
    if (SmtpSink.installed()) {
      sink = SmtpSink.start();
    }
    Organization org = OrganizationLoader.parse(organizationYaml(smtpPort, sink == null ? 1 : sink.port), "it.yaml");
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

  static void send(int port, String subject, String... recipients) throws MessagingException {
    sendText(port, subject, "Hello from the end-to-end test.\n.\nA line with only a dot, above.\n", recipients);
  }

  static void sendText(int port, String subject, String text, String... recipients) throws MessagingException {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(port));
    props.put("mail.smtp.localhost", "client.example");
    props.put("mail.smtp.timeout", "30000");
    Session session = Session.getInstance(props);
    MimeMessage message = new MimeMessage(session);
    message.setFrom("carol@example.com");
    for (String recipient : recipients) {
      message.addRecipients(Message.RecipientType.TO, recipient);
    }
    message.setSubject(subject);
    message.setText(text, "UTF-8");
    Transport.send(message);
  }

  static Path maildir(Path dataDir, String address) {
    return dataDir.resolve("mailstore").resolve("DB01").resolve(address).resolve("Maildir").resolve("new");
  }

  /** Messages in the mailbox whose Subject is {@code subject}, waiting up to 30 s for {@code count}. */
  static List<String> awaitMessages(Path dataDir, String address, String subject, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> found = List.of();
    while (System.nanoTime() < deadline) {
      found = messages(dataDir, address, subject);
      if (found.size() >= count) {
        return found;
      }
      Thread.sleep(50);
    }
    return found;
  }

  static List<String> messages(Path dataDir, String address, String subject) throws IOException {
    Path dir = maildir(dataDir, address);
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

  @Test
  void messageToAGroupLandsInEveryMembersMaildirAndEveryStageTracksIt() throws Exception {
    String subject = "team " + UUID.randomUUID();
    String bootstrap = running.kafka.bootstrapServers();
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        TopicReader<ProtocolEvent> protocol = TopicReader.fromEnd(bootstrap, Topics.PROTOCOL)) {
      send(smtpPort, subject, "team@contoso.test");

      List<String> alice = awaitMessages(dataDir, "alice@contoso.test", subject, 1);
      List<String> bob = awaitMessages(dataDir, "bob@contoso.test", subject, 1);
      assertEquals(1, alice.size(), "alice's copies");
      assertEquals(1, bob.size(), "bob's copies");
      String delivered = alice.get(0);
      assertTrue(delivered.startsWith("Return-Path: <carol@example.com>"), delivered);
      assertTrue(delivered.contains("Delivered-To: alice@contoso.test"), delivered);
      assertEquals(2, delivered.lines().filter(l -> l.startsWith("Received: ")).count(),
          "the edge's and delivery's Received headers: " + delivered);
      assertTrue(delivered.contains("\n.\n"), "dot-stuffing undone: " + delivered);

      List<TrackingEvent> events = tracking.await(e -> subject.equals(e.getMessageSubject()), 4,
          Duration.ofSeconds(30));
      Set<String> kinds = events.stream().map(e -> e.getSource() + " " + e.getEventId()).collect(Collectors.toSet());
      assertTrue(kinds.containsAll(Set.of("SMTP RECEIVE", "CATEGORIZER EXPAND", "ROUTING TRANSFER",
          "STOREDRIVER DELIVER")), "tracking events: " + kinds);
      assertEquals(1, events.stream().map(TrackingEvent::getNetworkMessageId).distinct().count(),
          "one network message id across stages");

      List<ProtocolEvent> dialogue = protocol.await(p -> "+".equals(p.getEvent()), 1, Duration.ofSeconds(10));
      assertEquals("EX01\\Default Frontend EX01", dialogue.get(0).getConnectorId(), "Exchange's SERVER\\Connector form");
    }
  }

  @Test
  void proxyAddressDeliversToThePrimaryMailbox() throws Exception {
    String subject = "proxy " + UUID.randomUUID();
    send(smtpPort, subject, "A.Smith@contoso.test");

    assertEquals(1, awaitMessages(dataDir, "alice@contoso.test", subject, 1).size());
  }

  @Test
  void relayAndUnknownRecipientAreRefusedWithExchangesReplies() {
    SendFailedException relay = org.junit.jupiter.api.Assertions.assertThrows(SendFailedException.class,
        () -> send(smtpPort, "relay", "someone@fabrikam.test"));
    SMTPAddressFailedException relayReply = firstAddressFailure(relay);
    assertEquals(550, relayReply.getReturnCode());
    assertTrue(relayReply.getMessage().contains("5.7.54 SMTP; Unable to relay recipient in non-accepted domain"),
        relayReply.getMessage());

    SendFailedException unknown = org.junit.jupiter.api.Assertions.assertThrows(SendFailedException.class,
        () -> send(smtpPort, "unknown", "nobody@contoso.test"));
    SMTPAddressFailedException unknownReply = firstAddressFailure(unknown);
    assertEquals(550, unknownReply.getReturnCode());
    assertTrue(unknownReply.getMessage().contains("5.1.10 RESOLVER.ADR.RecipientNotFound"), unknownReply.getMessage());
  }

  private static SMTPAddressFailedException firstAddressFailure(MessagingException e) {
    Exception next = e;
    while (next instanceof MessagingException m) {
      if (m instanceof SMTPAddressFailedException failed) {
        return failed;
      }
      next = m.getNextException();
    }
    throw new AssertionError("no per-recipient failure in " + e);
  }

  @Test
  void externalGroupMemberIsRelayedToTheSmartHostWithEachHopsReceivedHeader() throws Exception {
    assumeTrue(sink != null, "Postfix smtp-sink is not installed");
    String subject = "relay " + UUID.randomUUID();
    send(smtpPort, subject, "partners@contoso.test");

    assertEquals(1, awaitMessages(dataDir, "bob@contoso.test", subject, 1).size(), "the internal member's copy");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String relayed = null;
    while (relayed == null && System.nanoTime() < deadline) {
      for (Path file : sink.messages()) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.contains(subject)) {
          relayed = text;
        }
      }
      Thread.sleep(50);
    }
    if (relayed == null) {
      try (TopicReader<TrackingEvent> tracking = TopicReader.fromBeginning(running.kafka.bootstrapServers(),
          Topics.TRACKING)) {
        List<String> events = tracking.await(e -> subject.equals(e.getMessageSubject()), 100, Duration.ofSeconds(3))
            .stream().map(EventJson::toJson).toList();
        throw new AssertionError("smtp-sink got no relayed copy; tracking says:\n" + String.join("\n", events));
      }
    }
    List<String> received = relayed.lines().filter(l -> l.startsWith("Received: ")).toList();
    assertEquals(3, received.size(), "smtp-sink's, delivery's and the edge's Received headers: " + relayed);
    assertTrue(received.get(1).contains("with mailflow (mail.delivery.v1)"), received.get(1));
    assertTrue(received.get(2).startsWith("Received: from client.example"), received.get(2));
  }

  /** Five megabytes of lines, every 97th starting with a dot (stuffed by the client, by our relay too). */
  private static String largeText() {
    return largeText(5_000_000);
  }

  /** About {@code size} octets of lines, every 97th starting with a dot. */
  private static String largeText(int size) {
    StringBuilder text = new StringBuilder(size + 300_000);
    for (int i = 0; text.length() < size; i++) {
      text.append(i % 97 == 0 ? "." : "").append("line ").append(i).append(" of a large message, streamed by reference\n");
    }
    return text.toString();
  }

  /** What follows the header section, with line ends as LF (Maildir stores LF; the sink keeps CRLF). */
  private static String body(String message) {
    String lf = message.replace("\r\n", "\n");
    return lf.substring(lf.indexOf("\n\n") + 2);
  }

  @Test
  void aMessageOverTheInlineLimitTravelsByReferenceAndArrivesWhole() throws Exception {
    relayedByReference(largeText());
  }

  @Test
  void aHundredKilobyteMessageTravelsByReferenceUnderTheSixteenKilobyteDefaultAndArrivesWhole() throws Exception {
    relayedByReference(largeText(100 * 1024) + ".\n..\n. \n");
  }

  private void relayedByReference(String text) throws Exception {
    assumeTrue(sink != null, "Postfix smtp-sink is not installed");
    String subject = "large " + UUID.randomUUID();
    try (TopicReader<io.mailflow.schemas.avro.SubmittedMessage> submissions =
        TopicReader.fromEnd(running.kafka.bootstrapServers(), Topics.SUBMISSION)) {
      sendText(smtpPort, subject, text, "partners@contoso.test");

      var submitted = submissions.await(m -> subject.equals(m.getEnvelope().getSubject()), 1, Duration.ofSeconds(30));
      assertEquals(1, submitted.size(), "the submission");
      assertTrue(submitted.get(0).getBody() instanceof io.mailflow.schemas.avro.BodyReference,
          "a body past transportService.inlineBodyLimit (16 KB) rides by reference on mail.bodies.v1, not inline");
    }
    List<String> bob = awaitMessages(dataDir, "bob@contoso.test", subject, 1);
    assertEquals(1, bob.size(), "the internal member's copy");
    assertEquals(text, body(bob.get(0)), "the Maildir copy's body, octet for octet (LF line ends)");

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String relayed = null;
    while (relayed == null && System.nanoTime() < deadline) {
      for (Path file : sink.messages()) {
        if (Files.size(file) > text.length()) {
          String candidate = Files.readString(file, StandardCharsets.UTF_8);
          if (candidate.contains(subject)) {
            relayed = candidate;
          }
        }
      }
      Thread.sleep(100);
    }
    assertTrue(relayed != null, "smtp-sink got the relayed copy");
    String sunk = body(relayed);
    // smtp-sink ends each dump with one empty line of its own
    assertEquals(text, sunk.substring(0, sunk.length() - 1), "the relayed copy's body, dot-stuffing undone");
  }
}
