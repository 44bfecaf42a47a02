package io.mailflow.delivery.agent.smtp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import org.awaitility.Awaitility;
import java.util.concurrent.ExecutionException;
import io.mailflow.delivery.agent.body.PiecesSource;
import io.mailflow.delivery.agent.body.BodyUnavailableException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.SmtpCommand;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Permanent;
import io.mailflow.delivery.core.DeliveryOutcome.Transient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmtpClientIT {

  private static final byte[] MESSAGE = "From: a@src.test\r\nTo: b@dst.test\r\nSubject: hi\r\n\r\nHello.\r\n"
      .getBytes(UTF_8);

  private Vertx vertx;
  private SmtpClient client;
  private ScriptedSmtpServer server;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setConnectTimeout(Duration.ofSeconds(5)).setReplyTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private SendResult send(Script script, OutboundMessage message) throws Exception {
    server = ScriptedSmtpServer.start(vertx, script);
    return send(server.port(), message);
  }

  private SendResult send(int port, OutboundMessage message) throws Exception {
    return client.send("127.0.0.1", port, message).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static OutboundMessage message(String... recipients) {
    return OutboundMessage.of("a@src.test", List.of(recipients), MESSAGE);
  }

  @Test
  void deliversToEveryRecipientAndReportsTheFinalReply() throws Exception {
    SendResult result = send(new Script(), message("b@dst.test", "c@dst.test"));

    assertEquals(2, result.outcomes().size());
    for (DeliveryOutcome o : result.outcomes()) {
      assertInstanceOf(Delivered.class, o);
      assertEquals("250 2.6.0 Queued mail for delivery", o.recipientStatus());
    }
    assertEquals("250 2.6.0 Queued mail for delivery", result.finalReply().orElseThrow().toString());
    assertTrue(result.failure().isEmpty());
    assertEquals(List.of("EHLO mf1.contoso.test"), server.commandsStartingWith("EHLO"));
    assertEquals(List.of("MAIL FROM:<a@src.test> SIZE=" + MESSAGE.length), server.commandsStartingWith("MAIL"));
    assertEquals(List.of("RCPT TO:<b@dst.test>", "RCPT TO:<c@dst.test>"), server.commandsStartingWith("RCPT"));
    assertEquals(new String(MESSAGE, UTF_8), new String(server.messages.get(0), UTF_8));
    // kept for the next message (RSET), and said goodbye to when the client closes
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("RSET").size() == 1);
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("QUIT").size() == 1);
  }

  @Test
  void oneTransactionCanDeliverDeferAndRefuseDifferentRecipients() throws Exception {
    Script script = new Script()
        .rcpt("full@dst.test", "452 4.2.2 Mailbox full")
        .rcpt("nobody@dst.test", "550 5.1.1 User unknown");
    SendResult result = send(script, message("ok@dst.test", "full@dst.test", "nobody@dst.test"));

    List<DeliveryOutcome> o = result.outcomes();
    assertInstanceOf(Delivered.class, o.get(0));
    assertInstanceOf(Transient.class, o.get(1));
    assertEquals("452 4.2.2 Mailbox full", o.get(1).recipientStatus());
    assertInstanceOf(Permanent.class, o.get(2));
    assertEquals("550 5.1.1 User unknown", o.get(2).recipientStatus());
    assertEquals("550 5.1.1 User unknown", result.recipientReplies().get("nobody@dst.test").toString());
    assertEquals(1, server.messages.size());
  }

  @Test
  void eachRefusalRemembersTheCommandItAnswered() throws Exception {
    List<DeliveryOutcome> rcpt = send(new Script().rcpt("nobody@dst.test", "550 5.1.1 User unknown")
        .rcpt("full@dst.test", "452 4.2.2 Mailbox full"), message("ok@dst.test", "nobody@dst.test", "full@dst.test"))
        .outcomes();
    assertEquals(null, rcpt.get(0).command(), "delivered: nothing refused");
    assertEquals(SmtpCommand.RCPT_TO, rcpt.get(1).command());
    assertEquals(SmtpCommand.RCPT_TO, rcpt.get(2).command(), "a deferral keeps it too (delay DSN, expiry)");
    server.close();
    assertEquals(SmtpCommand.MAIL_FROM, send(new Script().mail("553 5.1.8 Sender address rejected"),
        message("b@dst.test")).outcomes().get(0).command());
    server.close();
    assertEquals(SmtpCommand.DATA, send(new Script().data("554 5.5.1 No valid recipients"), message("b@dst.test"))
        .outcomes().get(0).command());
    server.close();
    assertEquals(SmtpCommand.END_OF_DATA, send(new Script().end("554 5.6.0 Message rejected as spam"),
        message("b@dst.test")).outcomes().get(0).command());
  }

  @Test
  void pipelinesTheEnvelopeWhenTheServerOffersIt() throws Exception {
    // This server answers MAIL and RCPT only once DATA has arrived: a lock-step client would time out.
    SendResult result = send(new Script().requirePipelining(), message("b@dst.test", "c@dst.test"));

    assertTrue(result.outcomes().stream().allMatch(o -> o instanceof Delivered), result.toString());
  }

  @Test
  void fallsBackToHeloWhenEhloIsRefusedAndSendsNoExtensions() throws Exception {
    SendResult result = send(new Script().ehloRefused("502 5.5.2 Command not recognized"),
        message("b@dst.test"));

    assertInstanceOf(Delivered.class, result.outcomes().get(0));
    assertEquals(List.of("HELO mf1.contoso.test"), server.commandsStartingWith("HELO"));
    assertEquals(List.of("MAIL FROM:<a@src.test>"), server.commandsStartingWith("MAIL"));
    assertFalse(result.capabilities().pipelining());
  }

  @Test
  void dotStuffsAndMakesLineEndsCrlfOnTheWire() throws Exception {
    byte[] raw = "Subject: dots\n\n.leading dot\n..two\r\nbare cr\rlast".getBytes(UTF_8);
    send(new Script(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), raw));

    // The server records the lines as they crossed the wire, still dot-stuffed.
    assertEquals("Subject: dots\r\n\r\n..leading dot\r\n...two\r\nbare cr\r\nlast\r\n",
        new String(server.messages.get(0), UTF_8));
  }

  @Test
  void announcesEightBitMimeForEightBitMessages() throws Exception {
    byte[] raw = "Subject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n".getBytes(UTF_8);
    SendResult result = send(new Script(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), raw));

    assertInstanceOf(Delivered.class, result.outcomes().get(0));
    assertEquals(List.of("MAIL FROM:<a@src.test> SIZE=" + raw.length + " BODY=8BITMIME"),
        server.commandsStartingWith("MAIL"));
  }

  @Test
  void refusesEightBitToASevenBitServerClearlyAndSendsNothing() throws Exception {
    byte[] raw = "Subject: x\r\n\r\n\u00e9\r\n".getBytes(UTF_8);
    SendResult result = send(new Script().ehlo(List.of("250-sink.test", "250 SIZE 1000000")),
        OutboundMessage.of("a@src.test", List.of("b@dst.test"), raw));

    DeliveryOutcome o = result.outcomes().get(0);
    assertInstanceOf(Permanent.class, o);
    assertTrue(o.recipientStatus().startsWith("554 5.6.3 Conversion required but not supported"), o.recipientStatus());
    assertTrue(server.commandsStartingWith("MAIL").isEmpty());
  }

  @Test
  void aMessageOverTheAnnouncedSizeLimitIsRefusedBeforeMail() throws Exception {
    SendResult result = send(new Script().ehlo(List.of("250-sink.test", "250 SIZE 10")), message("b@dst.test"));

    DeliveryOutcome o = result.outcomes().get(0);
    assertInstanceOf(Permanent.class, o);
    assertTrue(o.recipientStatus().startsWith("552 5.3.4"), o.recipientStatus());
    assertTrue(server.commandsStartingWith("MAIL").isEmpty());
  }

  @Test
  void aRefusedSenderDecidesEveryRecipient() throws Exception {
    SendResult result = send(new Script().mail("553 5.7.1 Sender rejected").ehlo(List.of("250 sink.test")),
        message("b@dst.test", "c@dst.test"));

    assertTrue(result.outcomes().stream().allMatch(o -> o instanceof Permanent
        && o.recipientStatus().equals("553 5.7.1 Sender rejected")), result.toString());
    assertTrue(server.commandsStartingWith("RCPT").isEmpty(), "no RCPT after a refused MAIL without pipelining");
  }

  @Test
  void withoutAcceptedRecipientsNoDataIsSent() throws Exception {
    SendResult result = send(new Script().ehlo(List.of("250 sink.test")).rcpt("b@dst.test", "550 5.1.1 unknown"),
        message("b@dst.test"));

    assertInstanceOf(Permanent.class, result.outcomes().get(0));
    assertTrue(server.commandsStartingWith("DATA").isEmpty());
  }

  @Test
  void pipelinedDataRefusedForLackOfRecipientsLeavesRcptRepliesInCharge() throws Exception {
    SendResult result = send(new Script().rcpt("b@dst.test", "450 4.7.1 try later")
        .data("554 5.5.1 No valid recipients"), message("b@dst.test"));

    assertInstanceOf(Transient.class, result.outcomes().get(0));
    assertEquals("450 4.7.1 try later", result.outcomes().get(0).recipientStatus());
  }

  @Test
  void aRefusedConnectionMakesEveryRecipientTransientAndInvitesAnotherHost() throws Exception {
    int port = ScriptedSmtpServer.closedPort();
    SendResult result = send(port, message("b@dst.test", "c@dst.test"));

    assertTrue(result.tryAnotherHost());
    assertEquals(ConnectionFailure.Kind.CONNECT_FAILED, result.failure().orElseThrow().kind());
    for (DeliveryOutcome o : result.outcomes()) {
      assertInstanceOf(Transient.class, o);
      assertTrue(o.recipientStatus().startsWith("421 4.2.1 Unable to connect to 127.0.0.1:" + port),
          o.recipientStatus());
    }
  }

  @Test
  void aDropMidDataDefersAcceptedRecipientsAndKeepsRefusals() throws Exception {
    byte[] big = ("Subject: big\r\n\r\n" + "line\r\n".repeat(50)).getBytes(UTF_8);
    Script script = new Script().dropAfterDataLines(3).rcpt("gone@dst.test", "550 5.1.1 User unknown");
    SendResult result = send(script,
        OutboundMessage.of("a@src.test", List.of("b@dst.test", "gone@dst.test"), big));

    assertFalse(result.tryAnotherHost(), "the remote may hold part of the transaction");
    assertEquals(ConnectionFailure.Kind.DROPPED, result.failure().orElseThrow().kind());
    DeliveryOutcome accepted = result.outcomes().get(0);
    assertInstanceOf(Transient.class, accepted);
    assertTrue(accepted.recipientStatus().startsWith("421 4.4.2 Connection dropped by 127.0.0.1:"), accepted.recipientStatus());
    assertTrue(accepted.recipientStatus().contains("during message transfer")
        || accepted.recipientStatus().contains("during the reply after the final dot"), accepted.recipientStatus());
    assertInstanceOf(Permanent.class, result.outcomes().get(1));
  }

  @Test
  void aStalledServerTimesOutAsTransient() throws Exception {
    client.close();
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setReplyTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();
    SendResult result = send(new Script().stallOn("RCPT").ehlo(List.of("250 sink.test")), message("b@dst.test"));

    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "timed out promptly");
    DeliveryOutcome o = result.outcomes().get(0);
    assertInstanceOf(Transient.class, o);
    assertEquals(ConnectionFailure.Kind.TIMED_OUT, result.failure().orElseThrow().kind());
    assertTrue(o.recipientStatus().contains("TimedOut") && o.recipientStatus().contains("RCPT TO:<b@dst.test>")
        && o.recipientStatus().contains("300 ms"), o.recipientStatus());
  }

  @Test
  void aRefusingGreetingIsTransientSaysWhatTheServerSaidAndQuits() throws Exception {
    SendResult result = send(new Script().greeting("554 5.7.1 No service for you"), message("b@dst.test"));

    assertTrue(result.tryAnotherHost());
    DeliveryOutcome o = result.outcomes().get(0);
    assertInstanceOf(Transient.class, o);
    assertTrue(o.recipientStatus().startsWith("451 4.4.0 Primary target IP address responded with: "
        + "\"554 5.7.1 No service for you\" during greeting"), o.recipientStatus());
    await().atMost(Duration.ofSeconds(5)).until(() -> server.commandsStartingWith("QUIT").size() == 1);
  }

  @Test
  void garbageInsteadOfAReplyIsAProtocolError() throws Exception {
    SendResult result = send(new Script().greeting("HTTP/1.1 400 Bad Request"), message("b@dst.test"));

    assertEquals(ConnectionFailure.Kind.PROTOCOL_ERROR, result.failure().orElseThrow().kind());
    assertTrue(result.outcomes().get(0).recipientStatus().startsWith("421 4.5.0 Protocol error from 127.0.0.1:"),
        result.outcomes().get(0).recipientStatus());
  }

  @Test
  void aPositiveReplyToDataWhere354BelongsIsTransient() throws Exception {
    SendResult result = send(new Script().data("250 2.0.0 sure"), message("b@dst.test"));

    DeliveryOutcome o = result.outcomes().get(0);
    assertInstanceOf(Transient.class, o);
    assertTrue(o.recipientStatus().contains("where 354 belongs"), o.recipientStatus());
  }

  @Test
  void theNullSenderGoesOutAsEmptyBrackets() throws Exception {
    send(new Script(), OutboundMessage.of("", List.of("b@dst.test"), MESSAGE));

    assertTrue(server.commandsStartingWith("MAIL").get(0).startsWith("MAIL FROM:<> "));
  }

  @Test
  void aBodyInPiecesIsStuffedAcrossPieceBoundariesAndEndsWithOneDot() throws Exception {
    PiecesSource pieces = new PiecesSource(List.of("Subject: pieces\r\n\r\nfirst line\r".getBytes(UTF_8),
        "\n".getBytes(UTF_8), ".starts a line\r\n".getBytes(UTF_8), ".".getBytes(UTF_8), "\r\nend\r\n".getBytes(UTF_8)),
        false);
    SendResult result = send(new Script(), OutboundMessage.of("a@src.test", List.of("b@dst.test"), pieces));

    assertInstanceOf(Delivered.class, result.outcomes().get(0));
    assertEquals("Subject: pieces\r\n\r\nfirst line\r\n..starts a line\r\n..\r\nend\r\n",
        new String(server.messages.get(0), UTF_8));
  }

  @Test
  void aBodyThatFailsMidTransferIsNeverEndedWithTheFinalDot() throws Exception {
    PiecesSource broken = new PiecesSource(List.of("Subject: broken\r\n\r\n".getBytes(UTF_8),
        "half a body\r\n".getBytes(UTF_8)), true);
    server = ScriptedSmtpServer.start(vertx, new Script());
    ExecutionException e = assertThrows(ExecutionException.class, () -> client.send("127.0.0.1", server.port(),
        OutboundMessage.of("a@src.test", List.of("b@dst.test"), broken)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS));
    assertInstanceOf(BodyUnavailableException.class, e.getCause());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
    assertEquals(List.of(), server.messages, "no message was completed");
    assertEquals("250 2.6.0 Queued mail for delivery", send(server.port(), message("c@dst.test")).finalReply()
        .orElseThrow().toString(), "the client goes on with a new connection");
  }
}
