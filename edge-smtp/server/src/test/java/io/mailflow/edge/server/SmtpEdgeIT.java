package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The edge on real sockets with an in-memory Submission queue (the Kafka path is KafkaEdgeIT). */
class SmtpEdgeIT {
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();

  private RecordingPublisher publisher;
  private RecordingEvents events;
  private SmtpEdge edge;

  @BeforeEach
  void startEdge() throws Exception {
    start(TestOrganization.standard(), EdgeOptions.defaults());
  }

  private void start(Organization org, EdgeOptions options) throws Exception {
    if (edge != null) {
      rig.close(edge);
    }
    publisher = new RecordingPublisher();
    events = new RecordingEvents();
    edge = rig.start(org, publisher, events, options);
  }

  private SmtpTestClient connect(String connector) throws IOException {
    return rig.client(edge, connector);
  }

  /** Connects to the anonymous frontend and greets. */
  private SmtpTestClient greeted() throws IOException {
    SmtpTestClient client = connect(TestOrganization.FRONTEND);
    client.reply();
    client.command("EHLO client.example");
    return client;
  }

  private static final String MESSAGE = "From: Fabrikam <a@fabrikam.example>\r\nTo: bob@contoso.test\r\n"
      + "Subject: Quarterly report\r\nMessage-ID: <m1@fabrikam.example>\r\n\r\nHello Bob\r\n";

  @Test
  void greetsWithServerNameAndAdvertisesConnectorLimits() throws Exception {
    try (SmtpTestClient client = connect(TestOrganization.FRONTEND)) {
      assertTrue(client.reply().startsWith("220 EX01 mailflow ESMTP MAIL Service ready at "));
      String ehlo = client.command("EHLO client.example");
      assertTrue(ehlo.startsWith("250-EX01 Hello [127.0.0.1]\n250-SIZE 10000\n250-PIPELINING"), ehlo);
    }
  }

  @Test
  void acceptedMessageIsAnsweredWithMessageIdAndInternalIdAndPublishedWholly() throws Exception {
    String queued;
    try (SmtpTestClient client = greeted()) {
      assertEquals("250 2.1.0 Sender OK",
          client.command("MAIL FROM:<a@fabrikam.example> SIZE=200 BODY=8BITMIME RET=HDRS ENVID=QQ314159"));
      assertEquals("250 2.1.5 Recipient OK",
          client.command("RCPT TO:<bob@contoso.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@contoso.test"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<anyone@relay.test>"));
      assertEquals("354 Start mail input; end with <CRLF>.<CRLF>", client.command("DATA"));
      queued = client.command(MESSAGE + ".");
    }
    assertTrue(queued.matches("250 2\\.6\\.0 <m1@fabrikam\\.example> \\[InternalId=\\d+, Hostname=EX01\\] "
        + "Queued mail for delivery"), queued);

    SubmittedMessage m = publisher.published.get(0);
    Envelope e = m.getEnvelope();
    assertEquals("a@fabrikam.example", e.getSender());
    assertEquals("EX01", e.getReceivingServer());
    assertEquals(TestOrganization.FRONTEND, e.getReceiveConnector());
    assertEquals("127.0.0.1", e.getClientIp());
    assertEquals("client.example", e.getClientHostname());
    assertEquals("127.0.0.1", e.getServerIp());
    assertEquals("<m1@fabrikam.example>", e.getMessageIdHeader());
    assertEquals("Quarterly report", e.getSubject());
    assertEquals(BodyType.EIGHT_BIT_MIME, e.getBodyType());
    assertEquals(DsnRet.HDRS, e.getDsnRet());
    assertEquals("QQ314159", e.getEnvId());
    assertEquals(16, e.getSessionId().length());
    assertEquals(36, e.getNetworkMessageId().length());
    assertEquals(List.of(
        new Recipient("bob@contoso.test", "rfc822;bob@contoso.test", List.of(DsnNotify.SUCCESS, DsnNotify.FAILURE)),
        new Recipient("anyone@relay.test", null, List.of())), m.getRecipients());

    String body = body(m);
    assertEquals(e.getSize(), body.getBytes(StandardCharsets.UTF_8).length);
    assertTrue(body.matches("(?s)Received: from client\\.example \\(127\\.0\\.0\\.1 \\[127\\.0\\.0\\.1\\]\\)\r\n"
        + " by EX01 \\(127\\.0\\.0\\.1\\) with ESMTP id \\d+;\r\n [A-Z][a-z]{2}, .*\r\n" + MESSAGE.replace(".", "\\.")
        .replace("(", "\\(").replace(")", "\\)")), body);
  }

  @Test
  void replyWaitsForTheQueueAcknowledgementAndHoldsPipelinedCommands() throws Exception {
    publisher.hold();
    try (SmtpTestClient client = greeted()) {
      client.command("MAIL FROM:<a@fabrikam.example>");
      client.command("RCPT TO:<bob@contoso.test>");
      client.command("DATA");
      client.send(MESSAGE + ".\r\nNOOP\r\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> publisher.pending.size() == 1);
      assertFalse(client.hasPendingInput(), "nothing may be answered before the acknowledgement");
      publisher.pending.get(0).complete(null);
      assertTrue(client.reply().startsWith("250 2.6.0 <m1@fabrikam.example>"));
      assertEquals("250 2.0.0 OK", client.reply());
    }
  }

  @Test
  void failedQueueWriteIsAnswered451AndTheReasonGoesToTheProtocolLog() throws Exception {
    publisher.failWith(new IllegalStateException("broker said no"));
    try (SmtpTestClient client = greeted()) {
      assertEquals("451 4.3.0 Message not queued because of a temporary server error, please try again later",
          sendMessage(client));
    }
    assertTrue(events.protocol.stream().anyMatch(p -> p.getEvent().equals("*")
        && "Queue write failed".equals(p.getContext())
        && p.getData().equals("java.lang.IllegalStateException: broker said no")));
    assertTrue(events.tracking.isEmpty(), "no RECEIVE event for a message not queued");
  }

  @Test
  void backPressureIsAnswered452() throws Exception {
    publisher.failWith(new BackPressureException("queue full", null));
    try (SmtpTestClient client = greeted()) {
      assertEquals("452 4.3.1 Insufficient system resources", sendMessage(client));
    }
  }

  @Test
  void unacknowledgedSubmissionTimesOutWith452() throws Exception {
    start(TestOrganization.standard(), EdgeOptions.defaults().withSubmissionTimeout(Duration.ofMillis(300)));
    publisher.hold();
    try (SmtpTestClient client = greeted()) {
      assertEquals("452 4.3.1 Insufficient system resources", sendMessage(client));
      assertEquals("250 2.0.0 OK", client.command("NOOP"));
    }
  }

  @Test
  void recipientsArePolicedByTheDirectory() throws Exception {
    try (SmtpTestClient client = greeted()) {
      client.command("MAIL FROM:<a@fabrikam.example>");
      assertEquals("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
          client.command("RCPT TO:<nobody@contoso.test>"));
      assertEquals("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
          client.command("RCPT TO:<someone@fabrikam.example>"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<team@contoso.test>"));
      assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<anyone@partner.test>"));
    }
  }

  @Test
  void anonymousMailOnAuthenticatedOnlyConnectorIsRefused() throws Exception {
    try (SmtpTestClient client = connect(TestOrganization.CLIENT)) {
      client.reply();
      client.command("EHLO client.example");
      assertEquals("530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
          client.command("MAIL FROM:<alice@contoso.test>"));
    }
  }

  @Test
  void connectorLimitsApply() throws Exception {
    try (SmtpTestClient client = greeted()) {
      assertEquals("552 5.3.4 Message size exceeds fixed maximum message size",
          client.command("MAIL FROM:<a@fabrikam.example> SIZE=10001"));
      client.command("MAIL FROM:<a@fabrikam.example>");
      for (String r : List.of("alice", "bob", "team")) {
        assertEquals("250 2.1.5 Recipient OK", client.command("RCPT TO:<" + r + "@contoso.test>"));
      }
      assertEquals("452 4.5.3 Too many recipients", client.command("RCPT TO:<a.smith@contoso.test>"));
      client.command("DATA");
      assertEquals("552 5.3.4 Message size exceeds fixed maximum message size",
          client.command("Subject: big\r\n\r\n" + "x".repeat(10_001) + "\r\n."));
    }
    assertTrue(publisher.published.isEmpty());
  }

  @Test
  void clientDisconnectingMidDataLeavesNothingPublished() throws Exception {
    SmtpTestClient client = greeted();
    client.command("MAIL FROM:<a@fabrikam.example>");
    client.command("RCPT TO:<bob@contoso.test>");
    client.command("DATA");
    client.send("Subject: half\r\n\r\nthe first half of the body\r\n");
    client.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.protocol.stream()
        .anyMatch(p -> p.getEvent().equals("-") && "Remote".equals(p.getContext())));
    assertTrue(publisher.published.isEmpty());
  }

  @Test
  void idleClientIsDisconnectedWith421() throws Exception {
    start(TestOrganization.with(List.of(TestOrganization.anonymous(TestOrganization.FRONTEND, 10_000, 3, 1))),
        EdgeOptions.defaults());
    try (SmtpTestClient client = greeted()) {
      assertEquals("421 4.4.1 Connection timed out", client.reply());
      assertTrue(client.closedByServer());
    }
  }

  @Test
  void quitIsAnswered221AndTheServerCloses() throws Exception {
    try (SmtpTestClient client = greeted()) {
      assertEquals("221 2.0.0 Service closing transmission channel", client.command("QUIT"));
      assertTrue(client.closedByServer());
    }
  }

  @Test
  void pipelinedDialogueAndBdatOverOneWrite() throws Exception {
    try (SmtpTestClient client = connect(TestOrganization.FRONTEND)) {
      client.reply();
      client.send("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<bob@contoso.test>\r\nBDAT 11\r\nSubject: x\r"
          + "BDAT 9 LAST\r\n\n\r\nbody\r\nQUIT\r\n");
      assertTrue(client.reply().startsWith("250-EX01"));
      assertEquals("250 2.1.0 Sender OK", client.reply());
      assertEquals("250 2.1.5 Recipient OK", client.reply());
      assertEquals("250 2.6.0 CHUNK received OK, 11 octets", client.reply());
      assertTrue(client.reply().startsWith("250 2.6.0 <"));
      assertEquals("221 2.0.0 Service closing transmission channel", client.reply());
    }
    SubmittedMessage m = publisher.published.get(0);
    assertEquals("", m.getEnvelope().getSender());
    assertEquals("x", m.getEnvelope().getSubject());
    assertTrue(body(m).contains("Subject: x\r\n\r\nbody\r\n"));
  }

  @Test
  void curlCanSendThroughTheEdge() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    InetSocketAddress frontend = edge.listening(TestOrganization.FRONTEND).get(0);
    Process curl = new ProcessBuilder("/usr/bin/curl", "--silent", "--show-error", "--max-time", "20",
        "--url", "smtp://127.0.0.1:" + frontend.getPort() + "/client.example",
        "--mail-from", "a@fabrikam.example", "--mail-rcpt", "bob@contoso.test", "--upload-file", "-")
        .redirectErrorStream(true).start();
    curl.getOutputStream().write(MESSAGE.getBytes(StandardCharsets.US_ASCII));
    curl.getOutputStream().close();
    String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, curl.exitValue(), output);
    assertEquals("Quarterly report", publisher.published.get(0).getEnvelope().getSubject());
  }

  @Test
  void messageWithoutMessageIdGetsOneAfterTheReceivedHeader() throws Exception {
    try (SmtpTestClient client = greeted()) {
      client.command("MAIL FROM:<a@fabrikam.example>");
      client.command("RCPT TO:<bob@contoso.test>");
      client.command("DATA");
      String reply = client.command("Subject: no id\r\n\r\nbody\r\n.");
      SubmittedMessage m = publisher.published.get(0);
      String id = "<" + m.getEnvelope().getNetworkMessageId() + "@EX01>";
      assertEquals(id, m.getEnvelope().getMessageIdHeader());
      assertTrue(reply.startsWith("250 2.6.0 " + id), reply);
      assertTrue(body(m).contains("+0000\r\nMessage-ID: " + id + "\r\nSubject: no id\r\n")
          || body(m).matches("(?s).*\\d{4}\r\nMessage-ID: " + java.util.regex.Pattern.quote(id) + "\r\nSubject: no id\r\n.*"),
          body(m));
    }
  }

  @Test
  void connectorWithProtocolLoggingNoneWritesNoProtocolEvents() throws Exception {
    ReceiveConnector verbose = TestOrganization.anonymous(TestOrganization.FRONTEND, 10_000, 3, 300);
    ReceiveConnector quiet = new ReceiveConnector(verbose.name(), verbose.bindings(), verbose.remoteIpRanges(),
        verbose.permissionGroups(), verbose.authMechanisms(), verbose.fqdn(), verbose.banner(),
        verbose.maxMessageSize(), verbose.maxRecipientsPerMessage(), verbose.maxInboundConnection(),
        verbose.maxInboundConnectionPerSource(), verbose.maxHeaderSize(), verbose.maxProtocolErrors(),
        verbose.connectionTimeoutSeconds(), verbose.connectionInactivityTimeoutSeconds(),
        ReceiveConnector.ProtocolLoggingLevel.None, verbose.certificate(), verbose.implicitTls(),
        verbose.maxLogonFailures(), verbose.tarpitInterval(), verbose.permissions(), verbose.messageRateLimit(),
        verbose.messageRateSource(), verbose.trustedCertificates(), verbose.requireTls());
    start(TestOrganization.with(List.of(quiet)), EdgeOptions.defaults());
    try (SmtpTestClient client = greeted()) {
      client.command("MAIL FROM:<a@fabrikam.example>");
      client.command("RCPT TO:<bob@contoso.test>");
      client.command("DATA");
      client.command(MESSAGE + ".");
      client.command("QUIT");
      client.closedByServer();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events.tracking.size() == 1);

    assertEquals(List.of(), events.protocol, "protocol events with protocolLoggingLevel None");
    assertEquals(1, publisher.published.size(), "the message itself was accepted");
  }

  @Test
  void protocolLogRecordsEverySessionLineInOrder() throws Exception {
    InetSocketAddress server;
    try (SmtpTestClient client = greeted()) {
      server = edge.listening(TestOrganization.FRONTEND).get(0);
      client.command("QUIT");
      client.closedByServer();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events.protocol.stream().anyMatch(p -> p.getEvent().equals("-")));
    List<ProtocolEvent> log = events.protocol;
    assertEquals(List.of("+", "*", "*", ">", "<", ">", ">", ">", ">", ">", ">", ">", ">", ">", "<", ">", "-"),
        log.stream().map(ProtocolEvent::getEvent).toList());
    assertEquals("Selected receive connector", log.get(1).getContext(), "first: which connector and why");
    assertEquals("remote IP range 0.0.0.0-255.255.255.255 of receive connector '" + TestOrganization.FRONTEND + "'",
        log.get(1).getData());
    assertEquals("Set Session Permissions", log.get(2).getContext(), "Exchange's line naming the session's rights");
    assertEquals("SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders",
        log.get(2).getData());
    assertEquals("EHLO client.example", log.get(4).getData());
    assertEquals("250-EX01 Hello [127.0.0.1]", log.get(5).getData());
    assertEquals("221 2.0.0 Service closing transmission channel", log.get(15).getData());
    assertEquals("Local", log.get(16).getContext());
    for (int i = 0; i < log.size(); i++) {
      ProtocolEvent p = log.get(i);
      assertEquals(i, p.getSequenceNumber());
      assertEquals("EX01\\Default Frontend EX01", p.getConnectorId());
      assertEquals(log.get(0).getSessionId(), p.getSessionId());
      assertEquals("127.0.0.1:" + server.getPort(), p.getLocalEndpoint());
      assertTrue(p.getRemoteEndpoint().startsWith("127.0.0.1:"));
    }
  }

  @Test
  void receiveTrackingEventFollowsTheAcknowledgement() throws Exception {
    try (SmtpTestClient client = greeted()) {
      sendMessage(client);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events.tracking.size() == 1);
    TrackingEvent t = events.tracking.get(0);
    Envelope e = publisher.published.get(0).getEnvelope();
    assertEquals("SMTP", t.getSource());
    assertEquals("RECEIVE", t.getEventId());
    assertEquals(e.getNetworkMessageId(), t.getNetworkMessageId());
    assertEquals("<m1@fabrikam.example>", t.getMessageId());
    assertEquals("Quarterly report", t.getMessageSubject());
    assertEquals("a@fabrikam.example", t.getSenderAddress());
    assertEquals("a@fabrikam.example", t.getReturnPath());
    assertEquals(List.of("bob@contoso.test"), t.getRecipientAddress());
    assertEquals(1, t.getRecipientCount());
    assertEquals(e.getSize(), t.getTotalBytes());
    assertEquals("127.0.0.1", t.getClientIp());
    assertEquals("client.example", t.getClientHostname());
    assertEquals("127.0.0.1", t.getServerIp());
    assertEquals("EX01", t.getServerHostname());
    assertEquals("EX01\\Default Frontend EX01", t.getConnectorId());
    assertTrue(t.getSourceContext().startsWith(e.getSessionId() + ";"));
    assertTrue(t.getInternalMessageId().matches("\\d+"));
  }

  @Test
  void connectorsOnEphemeralPortsEachGetTheirOwnPort() {
    List<InetSocketAddress> all = edge.listening();
    assertEquals(2, all.size());
    assertNotEquals(all.get(0).getPort(), all.get(1).getPort());
    assertNotEquals(0, all.get(0).getPort());
  }

  @Test
  void busyPortFailsStartWithOneClearLine() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      Organization org = TestOrganization.with(List.of(TestOrganization.connector(TestOrganization.FRONTEND,
          java.util.Set.of(io.mailflow.organization.ReceiveConnector.PermissionGroup.AnonymousUsers), port,
          10_000, 3, 300)));
      ExecutionException failure = assertThrows(ExecutionException.class,
          () -> rig.start(org, publisher, events));
      assertTrue(failure.getCause() instanceof EdgeStartException);
      assertEquals("receive connector 'Default Frontend EX01': cannot bind 127.0.0.1:" + port + ": address in use",
          failure.getCause().getMessage());
    }
  }

  @Test
  void closeStopsListening() throws Exception {
    InetSocketAddress address = edge.listening(TestOrganization.FRONTEND).get(0);
    rig.close(edge);
    // Vert.x completes close() a moment before the acceptor socket is gone: poll, do not assume
    await().atMost(Duration.ofSeconds(5)).until(() -> refuses(address));
  }

  private static boolean refuses(InetSocketAddress address) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address, 2000);
      return false;
    } catch (ConnectException refused) {
      return true;
    }
  }

  /** MAIL, RCPT bob, DATA, MESSAGE; returns the reply to the end of data. */
  private static String sendMessage(SmtpTestClient client) throws IOException {
    client.command("MAIL FROM:<a@fabrikam.example>");
    client.command("RCPT TO:<bob@contoso.test>");
    client.command("DATA");
    return client.command(MESSAGE + ".");
  }

  static String body(SubmittedMessage m) {
    ByteBuffer data = ((InlineBody) m.getBody()).getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
