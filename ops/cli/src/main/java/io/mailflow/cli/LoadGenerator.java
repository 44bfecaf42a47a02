package io.mailflow.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * LoadGenerator - drives N blocking SMTP sessions, each sending messages back to back on one
 * connection (MAIL, RCPT and DATA pipelined), until the shared message budget or the time limit is used.
 * With a per-session limit each connection ends (QUIT, its 221 read) after that many messages and the
 * next one opens, so a run can measure session set-up (1: a fresh connection per message).
 * With several recipients, message n (over all sessions) goes to recipient n mod count, so a benchmark
 * can spread one run over many destinations.
 *
 * <p>Plain sockets on platform threads: a load generator must not share an event loop with what it
 * measures, and a few dozen threads cost nothing here.
 */
final class LoadGenerator {
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 120_000;
  private static final int QUIT_TIMEOUT_MS = 5_000;
  /** Latencies above a minute are recorded as a minute. */
  private static final long MAX_LATENCY_MICROS = 60_000_000L;

  private final Target target;
  /** One pipelined "MAIL, RCPT, DATA" per recipient, built once. */
  private final byte[][] envelopes;
  private final AtomicLong sequence = new AtomicLong();
  private final byte[] message;

  record Target(String host, int port) {
    static Target parse(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new CliFailure("--target must be HOST:PORT, got '" + hostPort + "'");
      }
      try {
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        return new Target(hostPort.substring(0, colon).replace("[", "").replace("]", ""), port);
      } catch (NumberFormatException e) {
        throw new CliFailure("--target port must be 1-65535, got '" + hostPort.substring(colon + 1) + "'");
      }
    }
  }

  /** @param sessions SMTP sessions opened (greeting and EHLO answered) */
  record Report(long accepted, long sessions, Map<String, Long> refusedByReply, long connectionFailures,
      String lastConnectionError, long elapsedNanos, Histogram latencyMicros) {}

  LoadGenerator(Target target, String sender, List<String> recipients, int size) {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipient");
    }
    this.target = target;
    this.envelopes = recipients.stream()
        .map(r -> ("MAIL FROM:<" + sender + ">\r\nRCPT TO:<" + r + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII))
        .toArray(byte[][]::new);
    // the To: header names the first recipient only: the header is not what routes the message
    this.message = messageOfSize(size, recipients.get(0), sender);
  }

  /** "a@x,b@y" → [a@x, b@y]; an empty entry (",," or a trailing comma) is a mistake worth naming. */
  static List<String> recipients(String commaSeparated) {
    List<String> list = new ArrayList<>();
    for (String r : commaSeparated.split(",", -1)) {
      String trimmed = r.strip();
      if (trimmed.isEmpty()) {
        throw new CliFailure("--rcpt has an empty address in '" + commaSeparated + "'");
      }
      list.add(trimmed);
    }
    return List.copyOf(list);
  }

  /** Index of the recipient of the {@code n}th message sent (0-based, over all sessions). */
  static int recipientIndex(long n, int recipientCount) {
    return (int) (n % recipientCount);
  }

  /** Every connection kept open for as many messages as it gets. */
  Report run(int connections, int messages, long timeLimitNanos) throws InterruptedException {
    return run(connections, messages, 0, timeLimitNanos);
  }

  /** @param messagesPerSession messages one connection sends before it ends and the next opens; 0: no limit */
  Report run(int connections, int messages, int messagesPerSession, long timeLimitNanos) throws InterruptedException {
    if (messagesPerSession < 0) {
      throw new IllegalArgumentException("messages per session must be 0 (no limit) or more, got " + messagesPerSession);
    }
    AtomicInteger budget = new AtomicInteger(messages);
    AtomicLong sessions = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    AtomicLong connectionFailures = new AtomicLong();
    AtomicReference<String> lastError = new AtomicReference<>("");
    Map<String, Long> refused = new ConcurrentHashMap<>();
    List<Histogram> histograms = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + timeLimitNanos;
    for (int i = 0; i < connections; i++) {
      Histogram histogram = new Histogram(MAX_LATENCY_MICROS, 3);
      histograms.add(histogram);
      Thread t = new Thread(() -> {
        int consecutiveFailures = 0;
        // a message is claimed before its session opens: no session is opened that would find nothing to send
        while (consecutiveFailures < 5 && System.nanoTime() < deadline && claim(budget)) {
          try (Session session = new Session()) {
            sessions.incrementAndGet();
            consecutiveFailures = 0;
            int sent = 0;
            do {
              sent++;
              String reply = session.send(histogram);
              if (reply.startsWith("250")) {
                accepted.incrementAndGet();
              } else {
                refused.merge(reply.length() > 60 ? reply.substring(0, 60) : reply, 1L, Long::sum);
                session.rset();
              }
            } while ((messagesPerSession == 0 || sent < messagesPerSession) && System.nanoTime() < deadline
                && claim(budget));
          } catch (IOException e) {
            budget.incrementAndGet(); // the message in flight was not accepted: someone sends it again
            connectionFailures.incrementAndGet();
            lastError.set(e.getMessage());
            consecutiveFailures++;
          }
        }
      }, "loadtest-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = System.nanoTime() - start;
    Histogram all = new Histogram(MAX_LATENCY_MICROS, 3);
    histograms.forEach(all::add);
    return new Report(accepted.get(), sessions.get(), Map.copyOf(refused), connectionFailures.get(), lastError.get(), elapsed, all);
  }

  /** Takes one message from the budget if any is left; never takes it below zero (failures give messages back). */
  private static boolean claim(AtomicInteger budget) {
    while (true) {
      int left = budget.get();
      if (left <= 0) {
        return false;
      }
      if (budget.compareAndSet(left, left - 1)) {
        return true;
      }
    }
  }

  /** One SMTP connection that sends the same message repeatedly, to the recipients in turn. */
  private final class Session implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    Session() throws IOException {
      socket.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      out = socket.getOutputStream();
      expect(readReply(), "220");
      out.write("EHLO loadtest.mailflow\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      expect(readReply(), "250");
    }

    /** Sends one message; returns the final reply line to the end of data (or the first refusal). */
    String send(Histogram latencyMicros) throws IOException {
      out.write(envelopes[recipientIndex(sequence.getAndIncrement(), envelopes.length)]);
      out.flush();
      String mail = readReply();
      String rcpt = readReply();
      String data = readReply();
      if (!mail.startsWith("250")) {
        return mail;
      }
      if (!rcpt.startsWith("250")) {
        return rcpt;
      }
      if (!data.startsWith("354")) {
        return data;
      }
      out.write(message);
      long sent = System.nanoTime();
      out.flush();
      String reply = readReply();
      latencyMicros.recordValue(Math.min((System.nanoTime() - sent) / 1000, MAX_LATENCY_MICROS));
      return reply;
    }

    void rset() throws IOException {
      out.write("RSET\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readReply();
    }

    /** Reads a (possibly multi-line) reply and returns its last line. */
    private String readReply() throws IOException {
      while (true) {
        String line = readLine();
        if (line.length() < 4 || line.charAt(3) != '-') {
          return line;
        }
      }
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder(64);
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          int len = line.length();
          if (len > 0 && line.charAt(len - 1) == '\r') {
            line.setLength(len - 1);
          }
          return line.toString();
        }
        line.append((char) c);
      }
      throw new IOException("connection closed by " + target.host() + ":" + target.port());
    }

    private void expect(String reply, String code) throws IOException {
      if (!reply.startsWith(code)) {
        throw new IOException("expected " + code + ", got: " + reply);
      }
    }

    /** QUIT and its 221, so the server has ended the session (and freed its connection slot) before the next. */
    @Override
    public void close() {
      try {
        out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.setSoTimeout(QUIT_TIMEOUT_MS);
        readReply();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing left to do
      }
    }
  }

  /** A plain-text message of about {@code size} bytes, dot-safe, ending with CRLF.CRLF. */
  static byte[] messageOfSize(int size, String to, String from) {
    StringBuilder m = new StringBuilder(size + 128);
    m.append("From: <").append(from).append(">\r\n")
        .append("To: <").append(to).append(">\r\n")
        .append("Subject: mailflow load test\r\n")
        .append("\r\n");
    String line = "The quick brown fox jumps over the lazy dog, and the load test goes on.\r\n";
    while (m.length() + line.length() <= size) {
      m.append(line);
    }
    while (m.length() < size - 2) {
      m.append('x');
    }
    m.append("\r\n.\r\n");
    return m.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
