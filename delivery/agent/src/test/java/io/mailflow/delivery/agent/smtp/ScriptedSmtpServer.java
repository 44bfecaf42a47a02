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

    /** Offer STARTTLS with this certificate (before TLS only, as RFC 3207 asks). */
    TestCertificate tls;
    String startTls = "220 2.0.0 SMTP server ready";
    /** Offer AUTH with these mechanisms and accept this user and password (null: no AUTH). */
    String authMechanisms;
    String authUser;
    String authPassword;
    /** Refuse MAIL until AUTH succeeded (530 5.7.1), as a smart host that requires it does. */
    boolean requireAuth;

    /** Answer STARTTLS with 220 and then plaintext junk instead of a handshake: a broken TLS stack. */
    boolean brokenTls;

    /** LMTP (RFC 2033): LHLO, and after the dot one reply per accepted recipient (default "250 2.0.0 <rcpt> Saved"). */
    boolean lmtp;
    final Map<String, String> lmtpEnd = new HashMap<>();
    /** LMTP: close after this many per-recipient replies after the dot (-1: never). */
    int dropAfterLmtpReplies = -1;

    public Script lmtp() { lmtp = true; return this; }
    public Script lmtpEnd(String address, String reply) { lmtpEnd.put(address.toLowerCase(Locale.ROOT), reply); return this; }
    public Script dropAfterLmtpReplies(int n) { dropAfterLmtpReplies = n; return this; }
    public Script tls(TestCertificate v) { tls = v; return this; }
    public Script brokenTls() { brokenTls = true; return this; }
    public Script startTls(String reply) { startTls = reply; return this; }
    public Script auth(String mechanisms, String user, String password) {
      authMechanisms = mechanisms; authUser = user; authPassword = password; requireAuth = true; return this;
    }
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
  /** For each MAIL received: "tls" or "plain", then "+auth" when the session had authenticated. */
  final List<String> mailSecurity = new CopyOnWriteArrayList<>();
  /** Users that authenticated, one entry per successful AUTH. */
  final List<String> authenticated = new CopyOnWriteArrayList<>();
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
    NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(0);
    if (script.tls != null) { // keys for STARTTLS; the listener itself is plaintext
      options.setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(script.tls.keyStore().toString())
          .setPassword(script.tls.password()));
    }
    this.server = vertx.createNetServer(options);
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
    private boolean secure;
    private final List<String> accepted = new ArrayList<>();
    private String authUser;
    private int loginStep;
    private String loginUser;

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
      if (loginStep > 0) {
        loginLine(line);
        return;
      }
      String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
      if (verb.equals(script.stallOn)) {
        stalled = true;
        return;
      }
      switch (verb) {
        case "EHLO" -> reply(script.lmtp ? "500 5.5.1 Unknown command (this is LMTP)" : ehloReply());
        case "LHLO" -> reply(script.lmtp ? ehloReply() : "500 5.5.1 Unknown command");
        case "STAR" -> startTls();
        case "AUTH" -> auth(line);
        case "HELO" -> reply(script.helo);
        case "MAIL" -> {
          accepted.clear();
          mailSecurity.add((secure ? "tls" : "plain") + (authUser != null ? "+auth" : ""));
          if (script.requireAuth && authUser == null) {
            hold("530 5.7.1 Client was not authenticated");
            return;
          }
          if (++mails == script.dropOnMail) {
            stalled = true;
            socket.close();
            return;
          }
          hold(script.mail);
        }
        case "RSET" -> {
          accepted.clear();
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
          String answer = once != null ? once : script.rcpt.getOrDefault(address, script.defaultRcpt);
          if (answer.startsWith("2")) {
            accepted.add(address);
          }
          hold(answer);
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

    private String ehloReply() {
      if (!script.ehlo.get(0).startsWith("250")) { // a refused EHLO stays as scripted
        return String.join("\r\n", script.ehlo);
      }
      List<String> lines = new ArrayList<>();
      for (String l : script.ehlo) {
        lines.add("250-" + l.substring(4));
      }
      if (script.tls != null && !secure) {
        lines.add("250-STARTTLS");
      }
      if (script.authMechanisms != null) {
        lines.add("250-AUTH " + script.authMechanisms);
      }
      String last = lines.remove(lines.size() - 1);
      lines.add("250 " + last.substring(4));
      return String.join("\r\n", lines);
    }

    private void startTls() {
      if (script.tls == null || secure) {
        reply("500 5.5.2 Command not recognized");
        return;
      }
      if (!script.startTls.startsWith("220")) {
        reply(script.startTls);
        return;
      }
      if (script.brokenTls) {
        reply(script.startTls);
        socket.write("this is not a TLS server hello\r\n");
        return;
      }
      secure = true;
      authUser = null;
      // the 220 and the switch to TLS together, so no byte of the client's hello is read as a command
      socket.upgradeToSsl(Buffer.buffer(script.startTls + "\r\n")).onFailure(e -> socket.close());
    }

    private void auth(String line) {
      String[] words = line.split(" ");
      String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
      if (script.authMechanisms == null || !script.authMechanisms.contains(mechanism)) {
        reply("504 5.7.4 Unrecognized authentication type");
      } else if (mechanism.equals("PLAIN") && words.length > 2) {
        String[] parts = new String(java.util.Base64.getDecoder().decode(words[2]), StandardCharsets.UTF_8).split("\0", -1);
        check(parts.length == 3 ? parts[1] : "", parts.length == 3 ? parts[2] : "");
      } else if (mechanism.equals("LOGIN")) {
        loginStep = 1;
        reply("334 VXNlcm5hbWU6");
      } else {
        reply("501 5.5.4 Syntax error");
      }
    }

    private void loginLine(String line) {
      String decoded = new String(java.util.Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
      if (loginStep == 1) {
        loginUser = decoded;
        loginStep = 2;
        reply("334 UGFzc3dvcmQ6");
      } else {
        loginStep = 0;
        check(loginUser, decoded);
      }
    }

    private void check(String user, String password) {
      if (user.equals(script.authUser) && password.equals(script.authPassword)) {
        authUser = user;
        authenticated.add(user);
        reply("235 2.7.0 Authentication successful");
      } else {
        reply("535 5.7.3 Authentication unsuccessful");
      }
    }

    private void dataLine(Buffer buffer) {
      if (buffer.length() == 1 && buffer.getByte(0) == '.') {
        inData = false;
        messages.add(message.toByteArray());
        if (!script.lmtp) {
          send(script.end);
          return;
        }
        int n = 0;
        for (String rcpt : accepted) {
          if (n++ == script.dropAfterLmtpReplies) {
            stalled = true;
            socket.close();
            return;
          }
          send(script.lmtpEnd.getOrDefault(rcpt, "250 2.0.0 <" + rcpt + "> Saved"));
        }
        accepted.clear();
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
