package io.mailflow.delivery.agent.smtp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * ScriptedSmtpServer - the other side of the dialogue for client tests: a Vert.x NetServer on
 * 127.0.0.1 that answers from a script (per-recipient replies, refusals, a drop mid-DATA, a stall)
 * and records what it was sent.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

  static final List<String> DEFAULT_EHLO = List.of("250-sink.test Hello", "250-PIPELINING", "250-SIZE 1000000",
      "250-8BITMIME", "250 ENHANCEDSTATUSCODES");

  /** What the server says; each reply may hold several lines separated by CRLF. */
  public static final class Script {
    String greeting = "220 sink.test ESMTP scripted";
    List<String> ehlo = DEFAULT_EHLO;
    String helo = "250 sink.test";
    String mail = "250 2.1.0 Sender OK";
    final Map<String, String> rcpt = new HashMap<>();
    final Map<String, String> rcptOnce = new java.util.concurrent.ConcurrentHashMap<>();
    String defaultRcpt = "250 2.1.5 Recipient OK";
    String data = "354 Start mail input; end with <CRLF>.<CRLF>";
    String end = "250 2.6.0 Queued mail for delivery";
    /** Close the connection after this many message lines arrive (-1: never). */
    int dropAfterDataLines = -1;
    /** Never answer a command starting with this verb (upper case), e.g. "RCPT". */
    String stallOn;
    /** Hold every reply until DATA arrives, then answer them all: only a pipelining client gets through. */
    boolean requirePipelining;
    String rset = "250 2.0.0 Resetting";
    /** Close without a word when the n-th MAIL of a connection arrives (-1: never): a server that dropped us while idle. */
    int dropOnMail = -1;
    /** After answering RSET, say this and close: a server timing out an idle client (null: never). */
    String goodbyeAfterRset;

    public Script greeting(String v) { greeting = v; return this; }
    public Script ehlo(List<String> v) { ehlo = v; return this; }
    public Script ehloRefused(String v) { ehlo = List.of(v); return this; }
    public Script helo(String v) { helo = v; return this; }
    public Script mail(String v) { mail = v; return this; }
    public Script rcpt(String address, String reply) { rcpt.put(address.toLowerCase(Locale.ROOT), reply); return this; }
    /** The first RCPT for {@code address} gets {@code reply}, later ones the usual answer (greylisting). */
    public Script rcptOnce(String address, String reply) { rcptOnce.put(address.toLowerCase(Locale.ROOT), reply); return this; }
    public Script data(String v) { data = v; return this; }
    public Script end(String v) { end = v; return this; }
    public Script dropAfterDataLines(int n) { dropAfterDataLines = n; return this; }
    public Script stallOn(String verb) { stallOn = verb; return this; }
    public Script requirePipelining() { requirePipelining = true; return this; }
    public Script rset(String v) { rset = v; return this; }
    public Script dropOnMail(int n) { dropOnMail = n; return this; }
    public Script goodbyeAfterRset(String v) { goodbyeAfterRset = v; return this; }
  }

  private final Vertx vertx;
  private final Script script;
  private final NetServer server;
  final List<String> commands = new CopyOnWriteArrayList<>();
  public final List<byte[]> messages = new CopyOnWriteArrayList<>();
  final List<String> closed = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger openNow = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections open right now. */
  public int openConnections() {
    return openNow.get();
  }

  /** The most connections that were open at once. */
  public int mostOpenAtOnce() {
    return mostOpen.get();
  }

  private ScriptedSmtpServer(Vertx vertx, Script script) {
    this.vertx = vertx;
    this.script = script;
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(this::session);
  }

  public static ScriptedSmtpServer start(Vertx vertx, Script script) throws Exception {
    ScriptedSmtpServer s = new ScriptedSmtpServer(vertx, script);
    s.server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return s;
  }

  public int port() {
    return server.actualPort();
  }

  /** Commands received whose verb is {@code verb}. */
  public List<String> commandsStartingWith(String verb) {
    List<String> out = new ArrayList<>();
    for (String c : commands) {
      if (c.toUpperCase(Locale.ROOT).startsWith(verb)) {
        out.add(c);
      }
    }
    return out;
  }

  private void session(NetSocket socket) {
    new Session(socket).start();
  }

  private final class Session {
    private final NetSocket socket;
    private final List<String> held = new ArrayList<>();
    private boolean inData;
    private boolean stalled;
    private int dataLines;
    private ByteArrayOutputStream message;
    private int mails;

    Session(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      RecordParser parser = RecordParser.newDelimited("\r\n", this::line);
      socket.handler(parser);
      connections.incrementAndGet();
      mostOpen.accumulateAndGet(openNow.incrementAndGet(), Math::max);
      socket.closeHandler(v -> {
        openNow.decrementAndGet();
        closed.add("closed");
      });
      send(script.greeting);
    }

    private void line(Buffer buffer) {
      if (stalled) {
        return;
      }
      if (inData) {
        dataLine(buffer);
        return;
      }
      String line = buffer.toString(StandardCharsets.UTF_8);
      commands.add(line);
      String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
      if (verb.equals(script.stallOn)) {
        stalled = true;
        return;
      }
      switch (verb) {
        case "EHLO" -> reply(String.join("\r\n", script.ehlo));
        case "HELO" -> reply(script.helo);
        case "MAIL" -> {
          if (++mails == script.dropOnMail) {
            stalled = true;
            socket.close();
            return;
          }
          hold(script.mail);
        }
        case "RSET" -> {
          reply(script.rset);
          if (script.goodbyeAfterRset != null) {
            reply(script.goodbyeAfterRset);
            stalled = true;
            socket.close();
          }
        }
        case "RCPT" -> {
          String address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>')).toLowerCase(Locale.ROOT);
          String once = script.rcptOnce.remove(address);
          hold(once != null ? once : script.rcpt.getOrDefault(address, script.defaultRcpt));
        }
        case "DATA" -> {
          if (script.data.startsWith("354")) {
            inData = true;
            message = new ByteArrayOutputStream();
          }
          flushHeld();
          reply(script.data);
        }
        case "QUIT" -> {
          reply("221 2.0.0 Bye");
          socket.close();
        }
        default -> reply("500 5.5.2 Command not recognized");
      }
    }

    private void dataLine(Buffer buffer) {
      if (buffer.length() == 1 && buffer.getByte(0) == '.') {
        inData = false;
        messages.add(message.toByteArray());
        send(script.end);
        return;
      }
      message.writeBytes(buffer.getBytes());
      message.writeBytes(new byte[] {'\r', '\n'});
      dataLines++;
      if (dataLines == script.dropAfterDataLines) {
        stalled = true;
        socket.close();
      }
    }

    private void reply(String reply) {
      send(reply);
    }

    /** MAIL and RCPT replies wait for DATA when the script requires pipelining. */
    private void hold(String reply) {
      if (script.requirePipelining) {
        held.add(reply);
      } else {
        send(reply);
      }
    }

    private void flushHeld() {
      for (String r : held) {
        send(r);
      }
      held.clear();
    }

    private void send(String reply) {
      socket.write(reply + "\r\n");
    }
  }

  /** A port on 127.0.0.1 where nothing listens (bound, then released). */
  public static int closedPort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
