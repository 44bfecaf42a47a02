package io.mailflow.delivery.agent.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real, independent SMTP server: Postfix's smtp-sink. Skipped where Postfix is
 * not installed (CI installs it).
 */
class SmtpSinkIT {

  private static final Path SMTP_SINK = Stream.of("/usr/sbin/smtp-sink", "/usr/bin/smtp-sink",
          "/usr/local/sbin/smtp-sink")
      .map(Paths::get).filter(Files::isExecutable).findFirst().orElse(null);

  private static final byte[] MESSAGE = ("From: a@src.test\r\nTo: b@dst.test\r\nSubject: sink\r\n\r\n"
      + ".dot line\r\nbody line 42\r\n").getBytes(UTF_8);

  @TempDir Path dumps;
  private Vertx vertx;
  private SmtpClient client;
  private Process sink;
  private int port;

  @BeforeEach
  void setUp() {
    assumeTrue(SMTP_SINK != null, "Postfix smtp-sink is not installed");
    vertx = Vertx.vertx();
    client = SmtpClient.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setReplyTimeout(Duration.ofSeconds(10)));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (sink != null) {
      sink.destroy();
      sink.waitFor(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void startSink(String... options) throws Exception {
    port = ScriptedSmtpServer.closedPort();
    Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> command = new ArrayList<>(List.of(SMTP_SINK.toString()));
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "nobody")); // smtp-sink refuses to run as root without it
    }
    command.addAll(List.of("-d", dumps + "/%M."));
    command.addAll(List.of(options));
    command.addAll(List.of("127.0.0.1:" + port, "10"));
    sink = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dumps.resolve("smtp-sink.log").toFile()).start();
    await().atMost(Duration.ofSeconds(10)).until(this::listening);
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private SendResult send(String... recipients) throws Exception {
    return client.send("127.0.0.1", port, OutboundMessage.of("a@src.test", List.of(recipients), MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void smtpSinkAcceptsTheMessageByteForByte() throws Exception {
    startSink();
    SendResult result = send("b@dst.test", "c@dst.test");

    assertTrue(result.capabilities().pipelining() && result.capabilities().eightBitMime(), result.toString());
    for (DeliveryOutcome o : result.outcomes()) {
      assertInstanceOf(DeliveryOutcome.Delivered.class, o);
      assertTrue(o.recipientStatus().startsWith("250 2.0.0"), o.recipientStatus());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> dumpFiles().size() == 1);
    String dump = Files.readString(dumpFiles().get(0), UTF_8);
    assertTrue(dump.contains("Subject: sink") && dump.contains("body line 42"), dump);
    assertTrue(dump.contains("\n.dot line"), "smtp-sink un-stuffs the dot we stuffed: " + dump);
  }

  @Test
  void consecutiveMessagesReuseOneConnectionToSmtpSink() throws Exception {
    startSink();
    for (int i = 1; i <= 3; i++) {
      if (i > 1) {
        await().atMost(Duration.ofSeconds(5)).until(() -> idleConnections() == 1);
      }
      SendResult result = send("b" + i + "@dst.test");
      assertInstanceOf(DeliveryOutcome.Delivered.class, result.outcomes().get(0), result.toString());
      assertEquals(i, result.transactionOnConnection(), "message " + i + " on the kept connection");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> dumpFiles().size() == 3);
  }

  private int idleConnections() throws Exception {
    return ((VertxSmtpClient) client).idleConnections("127.0.0.1:" + port)
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void softRejectedRecipientsAreTransient() throws Exception {
    startSink("-r", "RCPT");
    SendResult result = send("b@dst.test");

    assertInstanceOf(DeliveryOutcome.Transient.class, result.outcomes().get(0));
    assertEquals("450 4.3.0 Error: command failed", result.outcomes().get(0).recipientStatus());
  }

  @Test
  void hardRejectedRecipientsArePermanent() throws Exception {
    startSink("-f", "RCPT");
    SendResult result = send("b@dst.test");

    assertInstanceOf(DeliveryOutcome.Permanent.class, result.outcomes().get(0));
    assertTrue(result.outcomes().get(0).recipientStatus().startsWith("500 5.3.0"));
  }

  @Test
  void aDisconnectAfterTheFinalDotIsTransient() throws Exception {
    startSink("-q", ".");
    SendResult result = send("b@dst.test");

    assertInstanceOf(DeliveryOutcome.Transient.class, result.outcomes().get(0));
    assertEquals(ConnectionFailure.Kind.DROPPED, result.failure().orElseThrow().kind());
  }

  private List<Path> dumpFiles() throws IOException {
    try (Stream<Path> files = Files.list(dumps)) {
      return files.filter(p -> !p.getFileName().toString().equals("smtp-sink.log")).toList();
    }
  }
}
