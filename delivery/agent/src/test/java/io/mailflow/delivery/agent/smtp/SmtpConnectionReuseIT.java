package io.mailflow.delivery.agent.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Permanent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connection reuse (SmtpMaxMessagesPerConnection) against the scripted server, counting its connections. */
class SmtpConnectionReuseIT {

  private static final byte[] MESSAGE = "From: a@src.test\r\nSubject: reuse\r\n\r\nHello.\r\n".getBytes(UTF_8);

  private Vertx vertx;
  private SmtpClient client;
  private ScriptedSmtpServer server;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void start(Script script, SmtpClientOptions options) throws Exception {
    server = ScriptedSmtpServer.start(vertx, script);
    client = SmtpClient.create(vertx, options.setHeloName("mf1.contoso.test")
        .setConnectTimeout(Duration.ofSeconds(5)).setReplyTimeout(Duration.ofSeconds(5)));
  }

  private static SmtpClientOptions options() {
    return new SmtpClientOptions();
  }

  private SendResult send(String recipient) throws Exception {
    return client.send("127.0.0.1", server.port(), OutboundMessage.of("a@src.test", List.of(recipient), MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Sends one message once the previous one's connection is back in the cache (RSET answered). */
  private SendResult sendAfterReset(int resetsBefore, String recipient) throws Exception {
    if (resetsBefore > 0) {
      await().atMost(Duration.ofSeconds(5)).until(() -> idle() == 1);
    }
    return send(recipient);
  }

  private int idle() throws Exception {
    return ((VertxSmtpClient) client).idleConnections("127.0.0.1:" + server.port())
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void consecutiveMessagesToOneHostShareOneConnectionWithRsetBetween() throws Exception {
    start(new Script(), options());

    List<SendResult> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      results.add(sendAfterReset(i, "b" + i + "@dst.test"));
    }

    for (int i = 0; i < 3; i++) {
      assertInstanceOf(Delivered.class, results.get(i).outcomes().get(0), results.get(i).toString());
      assertEquals(i + 1, results.get(i).transactionOnConnection());
    }
    assertEquals(1, server.connections());
    assertEquals(1, server.commandsStartingWith("EHLO").size());
    assertEquals(3, server.messages.size());
    assertTrue(server.commandsStartingWith("QUIT").isEmpty(), "kept open, not quit");
  }

  @Test
  void aConnectionCarriesAtMostMaxMessagesThenQuits() throws Exception {
    start(new Script(), options().setMaxMessagesPerConnection(2));

    for (int i = 0; i < 5; i++) {
      int settled = i;
      await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("RSET").size()
          + server.commandsStartingWith("QUIT").size() >= settled && (settled % 2 == 0 || idle() == 1));
      assertInstanceOf(Delivered.class, send("b" + i + "@dst.test").outcomes().get(0));
    }

    assertEquals(3, server.connections(), "2 + 2 + 1 messages");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("QUIT").size() == 2);
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(new Script(), options().setIdleTimeout(Duration.ofMillis(200)));

    send("b@dst.test");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("QUIT").size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    SendResult second = send("c@dst.test");

    assertInstanceOf(Delivered.class, second.outcomes().get(0));
    assertEquals(1, second.transactionOnConnection());
    assertEquals(2, server.connections());
  }

  @Test
  void aConnectionTheServerDroppedWhileIdleIsReplacedWithoutFailingTheMessage() throws Exception {
    // The 2nd MAIL on a connection is met by a close: the server dropped us as we reused it.
    start(new Script().dropOnMail(2), options());

    send("b@dst.test");
    SendResult second = sendAfterReset(1, "c@dst.test");

    assertInstanceOf(Delivered.class, second.outcomes().get(0), second.toString());
    assertEquals(1, second.transactionOnConnection(), "went on a fresh connection");
    assertEquals(2, server.connections());
    assertEquals(2, server.messages.size());
  }

  @Test
  void aServerThatSays421AndClosesWhileIdleIsNotAnErrorForTheNextMessage() throws Exception {
    start(new Script().goodbyeAfterRset("421 4.4.2 sink.test Timeout: closing connection"), options());

    send("b@dst.test");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
    SendResult second = send("c@dst.test");

    assertInstanceOf(Delivered.class, second.outcomes().get(0), second.toString());
    assertEquals(2, server.connections());
  }

  @Test
  void aRefusedTransactionLeavesTheConnectionReusable() throws Exception {
    start(new Script().rcpt("nobody@dst.test", "550 5.1.1 User unknown"), options());

    assertInstanceOf(Permanent.class, send("nobody@dst.test").outcomes().get(0));
    SendResult second = sendAfterReset(1, "b@dst.test");

    assertInstanceOf(Delivered.class, second.outcomes().get(0));
    assertEquals(2, second.transactionOnConnection());
    assertEquals(1, server.connections());
  }

  @Test
  void aRefusedRsetClosesTheConnection() throws Exception {
    start(new Script().rset("500 5.5.1 RSET? never heard of it"), options());

    send("b@dst.test");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("QUIT").size() == 1);
    assertEquals(1, send("c@dst.test").transactionOnConnection());
    assertEquals(2, server.connections());
  }

  @Test
  void concurrentSendsNeverOpenMoreThanMaxConnectionsPerDestinationAndAllArrive() throws Exception {
    start(new Script(), options().setMaxConnectionsPerDestination(3));

    List<Future<SendResult>> sends = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sends.add(client.send("127.0.0.1", server.port(),
          OutboundMessage.of("a@src.test", List.of("r" + i + "@dst.test"), MESSAGE)));
    }
    Future.all(sends).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    for (Future<SendResult> s : sends) {
      assertInstanceOf(Delivered.class, s.result().outcomes().get(0), s.result().toString());
    }
    assertEquals(30, server.messages.size());
    assertTrue(server.mostOpenAtOnce() <= 3, "at most 3 open at once, saw " + server.mostOpenAtOnce());
    assertTrue(server.connections() <= 3 + 30 / 20, "reused, not one per message: " + server.connections());
  }
}
