package io.mailflow.delivery.agent.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.logs.ExchangeLogs;
import io.mailflow.logs.LogLimits;
import io.mailflow.logs.ProtocolLogFile;
import io.mailflow.schemas.avro.ProtocolDirection;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an outbound session writes to the send protocol log, against the scripted server: Exchange's lines, no
 * secrets. */
class SendProtocolLogIT {
  private static final byte[] MESSAGE = "From: a@src.test\r\nTo: b@dst.test\r\nSubject: hi\r\n\r\nHello.\r\n"
      .getBytes(UTF_8);
  private static final String PASSWORD = "s3cret-Pa55!";

  @TempDir
  static Path certDir;
  private static TestCertificate certificate;

  private Vertx vertx;
  private SmtpClient client;
  private ScriptedSmtpServer server;
  private final List<ProtocolEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeCertificate() throws Exception {
    certificate = TestCertificate.create(certDir, "mx.dst.test");
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SendResult send(Script script, SendProtocolLog log, SmartHostAuth auth) throws Exception {
    server = ScriptedSmtpServer.start(vertx, script);
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setConnectTimeout(Duration.ofSeconds(5)).setReplyTimeout(Duration.ofSeconds(5))
        .setTls(TlsPolicy.OPPORTUNISTIC).setAuth(auth).setProtocolLog(log).setMaxMessagesPerConnection(1));
    SendResult result = client.send("127.0.0.1", server.port(),
        OutboundMessage.of("a@src.test", List.of("b@dst.test"), MESSAGE)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().until(() -> events.stream().anyMatch(e -> e.getEvent().equals("-")));
    return result;
  }

  private SendProtocolLog log() {
    return new SendProtocolLog("Outbound to fabrikam", events::add, Clock.systemUTC());
  }

  private String lines() {
    return events.stream()
        .map(e -> e.getSequenceNumber() + "," + e.getEvent() + "," + e.getData() + "," + e.getContext())
        .collect(Collectors.joining("\n"));
  }

  @Test
  void aVerboseSessionLogsConnectCommandsRepliesTlsAndDisconnectAsExchangeDoes() throws Exception {
    SendResult result = send(new Script().tls(certificate).auth("LOGIN", "relay-user", PASSWORD), log(),
        SmartHostAuth.basic("relay-user", PASSWORD, true));

    assertInstanceOf(Delivered.class, result.outcomes().get(0));
    String text = lines();
    assertEquals("+", events.get(0).getEvent(), text);
    assertEquals("<", events.get(1).getEvent(), text);
    assertTrue(events.get(1).getData().startsWith("220 "), text);
    assertEquals("-", events.get(events.size() - 1).getEvent(), text);
    assertTrue(text.contains(",>,EHLO mf1.contoso.test,"), text);
    assertTrue(text.contains(",>,STARTTLS,"), text);
    assertTrue(text.contains(",*,null,TLS protocol TLSv1."), text);
    assertTrue(text.contains(",Certificate thumbprint"), text);
    assertTrue(text.contains(",>,AUTH LOGIN,"), text);
    assertTrue(text.contains(",<,334 <authentication response>,"), text);
    assertEquals(2, events.stream().filter(e -> "<authentication response>".equals(e.getContext())).count(),
        "username and password each a * line: " + text);
    assertTrue(text.contains(",>,MAIL FROM:<a@src.test>"), text);
    assertTrue(text.contains(",>,RCPT TO:<b@dst.test>"), text);
    long multiLine = events.stream().filter(e -> e.getEvent().equals("<") && e.getData().startsWith("250-")).count();
    assertTrue(multiLine >= 1, "an EHLO reply is one line: " + text);
    for (int i = 0; i < events.size(); i++) {
      ProtocolEvent e = events.get(i);
      assertEquals(i, e.getSequenceNumber(), text);
      assertEquals(ProtocolDirection.Send, e.getDirection());
      assertEquals("Outbound to fabrikam", e.getConnectorId());
      assertEquals(events.get(0).getSessionId(), e.getSessionId());
      assertTrue(e.getRemoteEndpoint().endsWith(":" + server.port()), e.getRemoteEndpoint());
    }
    assertNoSecret(text);
  }

  @Test
  void authPlainLogsTheVerbAndAnInformationLineButNotTheInitialResponse() throws Exception {
    send(new Script().auth("PLAIN", "relay-user", PASSWORD), log(), SmartHostAuth.basic("relay-user", PASSWORD, false));

    String text = lines();
    assertTrue(text.contains(",>,AUTH PLAIN,null"), text);
    assertTrue(text.contains(",<,235 "), text);
    assertNoSecret(text);
  }

  @Test
  void neitherTheTopicsBytesNorTheSendFileHoldTheCredentials() throws Exception {
    send(new Script().auth("LOGIN", "relay-user", PASSWORD), log(), SmartHostAuth.basic("relay-user", PASSWORD, false));

    StringBuilder topic = new StringBuilder();
    for (ProtocolEvent e : events) { // as mail.protocol.v1 holds them
      topic.append(new String(io.mailflow.kafka.Topics.PROTOCOL.codec().encode(e),
          java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    assertNoSecret(topic.toString());
    Path logs = certDir.resolve("send-" + UUID.randomUUID());
    try (ProtocolLogFile file = ProtocolLogFile.start(ExchangeLogs.SEND, logs,
        new LogLimits(Long.MAX_VALUE, Long.MAX_VALUE, Duration.ZERO))) {
      events.forEach(file);
    }
    String written;
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(logs)) {
      written = java.nio.file.Files.readString(files.findFirst().orElseThrow());
    }
    assertTrue(written.contains(",>,AUTH LOGIN,"), written);
    assertTrue(written.contains(",<,334 <authentication response>,"), written);
    assertNoSecret(written);
  }

  @Test
  void anLmtpSessionIsLoggedAsTheIntraOrganizationConnectorsIs() throws Exception {
    server = ScriptedSmtpServer.start(vertx, new Script().lmtp());
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test").setLmtp(true)
        .setProtocolLog(new SendProtocolLog("Intra-Organization SMTP Send Connector", events::add, Clock.systemUTC())));
    client.send("127.0.0.1", server.port(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().until(() -> events.stream().anyMatch(e -> e.getData() != null
        && e.getData().startsWith("RCPT TO:")));
    String text = lines();
    assertTrue(text.contains(",>,LHLO mf1.contoso.test,"), text);
    assertEquals("Intra-Organization SMTP Send Connector", events.get(0).getConnectorId());
  }

  @Test
  void aConnectorWithoutProtocolLoggingLogsNothing() throws Exception {
    server = ScriptedSmtpServer.start(vertx, new Script());
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test"));
    client.send("127.0.0.1", server.port(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertFalse(SendProtocolLog.NONE.enabled());
    assertEquals(List.of(), events);
  }

  private static void assertNoSecret(String text) {
    String plain = Base64.getEncoder().encodeToString(("\0relay-user\0" + PASSWORD).getBytes(UTF_8));
    String login = Base64.getEncoder().encodeToString(PASSWORD.getBytes(UTF_8));
    String user = Base64.getEncoder().encodeToString("relay-user".getBytes(UTF_8));
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains(plain), text);
    assertFalse(text.contains(login), text);
    assertFalse(text.contains(user), "not even the username's response: " + text);
  }
}
