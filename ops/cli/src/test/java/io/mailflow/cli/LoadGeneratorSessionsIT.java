package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** LoadGenerator against a tiny counting SMTP server: how many sessions a run opens, per option. */
class LoadGeneratorSessionsIT {
  private CountingSmtpServer server;

  @BeforeEach
  void start() throws IOException {
    server = new CountingSmtpServer();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private LoadGenerator generator() {
    return new LoadGenerator(new LoadGenerator.Target("127.0.0.1", server.port()), "load@example.com",
        List.of("bench@sink.test"), 512);
  }

  @Test
  void oneMessagePerSessionOpensAFreshSessionForEveryMessage() throws Exception {
    // more connections than a fair share: none may open a session it has no message for
    LoadGenerator.Report report = generator().run(8, 20, 1, TimeUnit.SECONDS.toNanos(60));
    assertEquals(20, report.accepted());
    assertEquals(20, report.sessions());
    assertEquals(20, server.sessions.get(), "the server saw 20 connections");
    assertEquals(20, server.quits.get(), "each ended with QUIT");
    await().until(() -> server.messagesPerSession.size() == 20); // the server's threads finish after their 221
    assertTrue(server.messagesPerSession.stream().allMatch(n -> n == 1), server.messagesPerSession.toString());
  }

  @Test
  void byDefaultEachConnectionIsReusedForTheWholeRun() throws Exception {
    LoadGenerator.Report report = generator().run(3, 12, TimeUnit.SECONDS.toNanos(60));
    assertEquals(12, report.accepted());
    assertEquals(3, report.sessions());
    assertEquals(3, server.sessions.get());
    await().until(() -> server.messagesPerSession.size() == 3);
    assertEquals(12, server.messagesPerSession.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void aLimitAboveOneSplitsTheRunIntoSessionsOfThatManyMessages() throws Exception {
    LoadGenerator.Report report = generator().run(1, 10, 4, TimeUnit.SECONDS.toNanos(60));
    assertEquals(10, report.accepted());
    await().until(() -> server.messagesPerSession.size() == 3);
    assertEquals(List.of(2, 4, 4), server.messagesPerSession.stream().sorted().toList());
  }

  @Test
  void theCommandPrintsSessionsPerSecondAndRefusesANegativeLimit() {
    StringWriter out = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    int rc = cli.execute("loadtest", "--target", "127.0.0.1:" + server.port(), "--connections", "2",
        "--messages", "6", "--messages-per-session", "1", "--size", "300");
    assertEquals(0, rc, out.toString());
    assertTrue(out.toString().contains("per session       1 message"), out.toString());
    assertTrue(out.toString().matches("(?s).*sessions +6 \\([0-9.]+ sessions/s\\).*"), out.toString());
    assertTrue(out.toString().contains("accepted          6 of 6"), out.toString());

    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int bad = cli.execute("loadtest", "--target", "127.0.0.1:" + server.port(), "--messages-per-session", "-1");
    assertTrue(bad != 0);
    assertTrue(err.toString().contains("--messages-per-session must be 0 (no limit) or more, got -1"), err.toString());
  }

  @Test
  void theGeneratorRefusesANegativeLimit() {
    assertThrows(IllegalArgumentException.class, () -> generator().run(1, 1, -1, TimeUnit.SECONDS.toNanos(1)));
  }

  /** Answers every session with 220/250/354/250/221 and counts sessions, QUITs and messages per session. */
  private static final class CountingSmtpServer implements AutoCloseable {
    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger quits = new AtomicInteger();
    final List<Integer> messagesPerSession = new CopyOnWriteArrayList<>();
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread acceptor;

    CountingSmtpServer() throws IOException {
      acceptor = new Thread(this::accept, "counting-smtp-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket client = socket.accept();
          sessions.incrementAndGet();
          Thread t = new Thread(() -> serve(client), "counting-smtp-session");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket client) {
      int messages = 0;
      try (client;
          BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
          OutputStream out = client.getOutputStream()) {
        reply(out, "220 counting ready");
        String line;
        while ((line = in.readLine()) != null) {
          String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
          switch (verb) {
            case "DATA" -> {
              reply(out, "354 go ahead");
              while ((line = in.readLine()) != null && !line.equals(".")) {
                // the message body: nothing to keep
              }
              messages++;
              reply(out, "250 2.6.0 queued");
            }
            case "QUIT" -> {
              quits.incrementAndGet();
              reply(out, "221 2.0.0 bye");
              return;
            }
            default -> reply(out, "250 ok");
          }
        }
      } catch (IOException e) {
        // the client went away: the count so far stands
      } finally {
        messagesPerSession.add(messages);
      }
    }

    private static void reply(OutputStream out, String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
