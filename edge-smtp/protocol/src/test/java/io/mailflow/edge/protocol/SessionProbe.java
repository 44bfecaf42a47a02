package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** SessionProbe - drives an SmtpSession in a test and records everything it asks its adapter to do. */
final class SessionProbe implements SessionOutput, SessionHooks {

  static final SmtpReply QUEUED = SmtpReply.of(250, "2.6.0", "<id@test> Queued mail for delivery");
  static final SmtpConfig CONFIG = SmtpConfig.defaults("mx.contoso.com")
      .withClock(Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC));

  final List<SmtpReply> replies = new ArrayList<>();
  final List<String> commands = new ArrayList<>();
  final List<ReceivedMessage> messages = new ArrayList<>();
  final List<Boolean> heldSignals = new ArrayList<>();
  boolean closed;
  boolean tlsRequested;
  int closeCalls;

  Function<ReceivedMessage, CompletionStage<SmtpReply>> onMessage = m -> CompletableFuture.completedFuture(QUEUED);
  Function<RcptTo, HookResult> onRcpt = r -> HookResult.ACCEPT;
  Function<MailFrom, HookResult> onMail = m -> HookResult.ACCEPT;
  Function<String, HookResult> onHelo = name -> HookResult.ACCEPT;
  HookResult onConnect = HookResult.ACCEPT;
  HookResult onData = HookResult.ACCEPT;
  byte[] trace = new byte[0];
  /** What the spill hook answers (default: none, everything stays in memory); calls counted. */
  java.util.function.Supplier<Optional<BodySpill>> onSpill = Optional::empty;
  int spillCalls;
  /** Credentials the engine asked about: "MECHANISM user password". */
  final List<String> logons = new ArrayList<>();
  Function<String, CompletionStage<Optional<String>>> onAuth = logon -> CompletableFuture.completedFuture(
      logon.endsWith(" alice@contoso.com s3cret") ? Optional.of("alice@contoso.com") : Optional.empty());
  /** Tarpits asked for; the task runs when the test says so. */
  final List<Duration> tarpits = new ArrayList<>();
  Runnable tarpitted;

  final SmtpSession session;

  private SessionProbe(SmtpConfig config, boolean tls) {
    session = new SmtpSession(config, this, this,
        SessionInfo.connected("08DC0000000000A1", new InetSocketAddress("192.0.2.7", 40000),
            new InetSocketAddress("127.0.0.1", 2525), tls),
        Runnable::run);
  }

  static SessionProbe create() {
    return new SessionProbe(CONFIG, false);
  }

  static SessionProbe create(SmtpConfig config) {
    return new SessionProbe(config, false);
  }

  /** A started session; the greeting is recorded and then forgotten. */
  static SessionProbe started() {
    return started(CONFIG);
  }

  static SessionProbe started(SmtpConfig config) {
    SessionProbe probe = new SessionProbe(config, false);
    probe.session.start();
    probe.replies.clear();
    probe.commands.clear();
    return probe;
  }

  /** A started session after a successful EHLO, replies forgotten. */
  static SessionProbe greeted() {
    return greeted(CONFIG);
  }

  static SessionProbe greeted(SmtpConfig config) {
    SessionProbe probe = started(config);
    probe.send("EHLO client.example\r\n");
    probe.replies.clear();
    probe.commands.clear();
    return probe;
  }

  /** Greeted, with MAIL FROM and one RCPT TO accepted, replies forgotten. */
  static SessionProbe inTransaction() {
    return inTransaction(CONFIG);
  }

  static SessionProbe inTransaction(SmtpConfig config) {
    SessionProbe probe = greeted(config);
    probe.send("MAIL FROM:<alice@fabrikam.com>\r\nRCPT TO:<bob@contoso.com>\r\n");
    probe.replies.clear();
    probe.commands.clear();
    return probe;
  }

  SessionProbe send(String text) {
    session.feed(text.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  SessionProbe sendBytes(byte[] bytes) {
    session.feed(bytes);
    return this;
  }

  SessionProbe sendByteAtATime(String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      session.feed(new byte[] {b});
    }
    return this;
  }

  /** Codes of the replies so far, in order. */
  List<Integer> codes() {
    return replies.stream().map(SmtpReply::code).toList();
  }

  /** Replies so far, one string each (multi-line replies joined by \n). */
  List<String> texts() {
    return replies.stream().map(SmtpReply::toString).toList();
  }

  SmtpReply last() {
    return replies.get(replies.size() - 1);
  }

  /** The last reply as sent, its wire lines joined by LF. */
  String lastText() {
    return String.join("\n", last().toWireLines());
  }

  String messageText(int index) {
    return new String(messages.get(index).content().toByteArray(), StandardCharsets.UTF_8);
  }

  // ---- SessionOutput

  @Override
  public void send(SmtpReply reply) {
    if (closed) {
      throw new AssertionError("reply after close: " + reply);
    }
    replies.add(reply);
  }

  @Override
  public void close() {
    closed = true;
    closeCalls++;
  }

  @Override
  public void startTls() {
    tlsRequested = true;
  }

  @Override
  public void commandReceived(String line) {
    commands.add(line);
  }

  @Override
  public void inputHeld(boolean held) {
    heldSignals.add(held);
  }

  @Override
  public void tarpit(Duration delay, Runnable task) {
    tarpits.add(delay);
    tarpitted = task;
  }

  // ---- SessionHooks

  @Override
  public HookResult connect(SessionInfo s) {
    return onConnect;
  }

  @Override
  public HookResult helo(SessionInfo s, String name) {
    return onHelo.apply(name);
  }

  @Override
  public CompletionStage<Optional<String>> authenticate(SessionInfo s, String mechanism, String user,
      char[] password) {
    String logon = mechanism + " " + user + " " + new String(password);
    logons.add(logon);
    return onAuth.apply(logon);
  }

  @Override
  public HookResult mailFrom(SessionInfo s, MailFrom from) {
    return onMail.apply(from);
  }

  @Override
  public HookResult rcptTo(SessionInfo s, MailFrom from, List<RcptTo> accepted, RcptTo rcpt) {
    return onRcpt.apply(rcpt);
  }

  @Override
  public HookResult data(SessionInfo s, SmtpEnvelope envelope) {
    return onData;
  }

  @Override
  public byte[] traceHeader(SessionInfo s, SmtpEnvelope envelope) {
    return trace;
  }

  @Override
  public Optional<BodySpill> spill(SessionInfo s, SmtpEnvelope envelope) {
    spillCalls++;
    return onSpill.get();
  }

  @Override
  public CompletionStage<SmtpReply> message(ReceivedMessage message) {
    messages.add(message);
    return onMessage.apply(message);
  }
}
