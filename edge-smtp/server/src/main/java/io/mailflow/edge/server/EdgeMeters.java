package io.mailflow.edge.server;

import io.mailflow.smtp.SmtpReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * EdgeMeters - one receive connector's meters, every one tagged {@code connector} (its name: bounded by
 * the organization file). Built once per connector; every instance a session touches is looked up in a
 * map or array built ahead, so recording costs a counter increment, never a registry lookup. Replies are
 * counted where they are written ({@link SmtpConnection#send}), so refusals by the engine (SIZE) and by
 * the connector's policy (relay, send-as, rate limit) are counted alike, by the reply's enhanced code.
 *
 * <p>Never tagged with a sender, recipient, client address or message id.
 */
final class EdgeMeters {
  static final String PREFIX = "mailflow.edge.";
  /** Commands counted by name; anything else (and AUTH responses) is {@code other}. */
  static final String[] VERBS = {"EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY",
      "EXPN", "HELP", "STARTTLS", "AUTH"};
  /** DATA→250 buckets: a queue write on a healthy cluster is a few ms; 45 s is the submission timeout. */
  static final Duration[] DATA_SLOS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(45)};
  /** Distinct enhanced codes kept as tags; the edge writes a few dozen, so this only guards against surprises. */
  static final int MAX_ENHANCED_CODES = 100;

  /** Why a message, recipient or connection was refused, from the reply's enhanced status code. */
  enum Refusal {
    relay_denied, recipient_not_found, send_as_denied, no_permission, auth_required, size, rate_limit,
    too_many_recipients, connection_limit, back_pressure, queue_write_failed, mail_loop, other;

    /** The refusal a negative reply stands for, or null for replies that refuse nothing (syntax, sequence, AUTH). */
    static Refusal of(SmtpReply reply) {
      if (reply.code() < 400) {
        return null;
      }
      String e = reply.enhancedStatus();
      if (reply.code() == 530) {
        return auth_required; // 5.7.57 anonymous MAIL, 5.7.0 STARTTLS first
      }
      return switch (e) {
        case "5.7.54" -> relay_denied;
        case "5.1.10", "5.1.1" -> recipient_not_found;
        case "5.7.60" -> send_as_denied;
        case "5.7.1" -> no_permission;
        case "5.3.4" -> size;
        case "4.4.2" -> rate_limit;
        case "4.5.3" -> too_many_recipients;
        case "4.3.2" -> connection_limit;
        case "4.3.1" -> back_pressure;
        case "4.3.0" -> queue_write_failed;
        case "5.4.6" -> mail_loop;
        // syntax and sequence errors, AUTH outcomes, timeouts: answers to the client, not mail refused
        default -> e.startsWith("5.5.") || e.startsWith("5.7.") || e.startsWith("4.7.") || e.equals("5.1.3")
            || e.equals("5.1.7") || e.equals("5.6.7") || e.equals("5.3.3") || e.equals("4.4.1") || e.isEmpty()
            ? null : other;
      };
    }
  }

  private final MeterRegistry registry;
  private final String connector;
  final Counter connections;
  final Counter sessions;
  final AtomicInteger openSessions = new AtomicInteger();
  private final Map<String, Counter> commands = new HashMap<>();
  private final Counter otherCommands;
  /** Replies by status class (index code / 100), then enhanced code. */
  @SuppressWarnings("unchecked")
  private final Map<String, Counter>[] replies = new Map[6];
  private final Counter[] refused = new Counter[Refusal.values().length];
  final Counter messagesAccepted;
  final DistributionSummary bytesAccepted;
  final Timer dataToReply;
  final Counter tlsSucceeded;
  final Counter tlsFailed;
  final Counter authSucceeded;
  final Counter authFailed;
  final Counter tarpits;
  /** Failed AUTH replies held back because of failures in other sessions too ({@link AuthFailureLedger}). */
  final Counter authTarpitted;
  /** AUTH answered 454 4.7.0 without a check: the client IP is cooling down ({@link AuthFailureLedger}). */
  final Counter authRefused;

  EdgeMeters(MeterRegistry registry, String connector) {
    this.registry = registry;
    this.connector = connector;
    connections = counter("connections", "TCP connections accepted by the connector's listener, refused ones included");
    sessions = counter("sessions", "SMTP sessions started (connections within the connector's limits)");
    Gauge.builder(PREFIX + "sessions.open", openSessions, AtomicInteger::get).tag("connector", connector)
        .description("SMTP sessions open now").register(registry);
    for (String verb : VERBS) {
      commands.put(verb, Counter.builder(PREFIX + "commands").tag("connector", connector).tag("verb", verb)
          .description("SMTP commands received, by verb").register(registry));
    }
    otherCommands = Counter.builder(PREFIX + "commands").tag("connector", connector).tag("verb", "other")
        .description("SMTP commands received, by verb").register(registry);
    for (int i = 0; i < replies.length; i++) {
      replies[i] = new ConcurrentHashMap<>();
    }
    for (Refusal r : Refusal.values()) {
      refused[r.ordinal()] = Counter.builder(PREFIX + "refused").tag("connector", connector).tag("reason", r.name())
          .description("connections, MAIL, RCPT or messages refused with a 4xx/5xx, by reason").register(registry);
    }
    messagesAccepted = counter("messages.accepted", "messages answered 250 after the Submission queue's ack");
    bytesAccepted = DistributionSummary.builder(PREFIX + "message.size").baseUnit("bytes").tag("connector", connector)
        .serviceLevelObjectives(1024, 10 * 1024, 100 * 1024, 1024 * 1024, 10 * 1024 * 1024, 35 * 1024 * 1024)
        .description("size of each message accepted (its _sum is the bytes accepted)").register(registry);
    dataToReply = Timer.builder(PREFIX + "data.reply").tag("connector", connector).serviceLevelObjectives(DATA_SLOS)
        .description("from the end of DATA/BDAT LAST to the reply (250 after the Kafka ack, or a 4xx)")
        .register(registry);
    tlsSucceeded = Counter.builder(PREFIX + "tls.handshakes").tag("connector", connector).tag("outcome", "success")
        .description("TLS handshakes (STARTTLS or implicit TLS), by outcome").register(registry);
    tlsFailed = Counter.builder(PREFIX + "tls.handshakes").tag("connector", connector).tag("outcome", "failure")
        .description("TLS handshakes (STARTTLS or implicit TLS), by outcome").register(registry);
    authSucceeded = Counter.builder(PREFIX + "auth").tag("connector", connector).tag("outcome", "success")
        .description("AUTH attempts checked against the directory, by outcome").register(registry);
    authFailed = Counter.builder(PREFIX + "auth").tag("connector", connector).tag("outcome", "failure")
        .description("AUTH attempts checked against the directory, by outcome").register(registry);
    tarpits = counter("tarpits", "replies delayed by the tarpit after failed logons");
    authTarpitted = Counter.builder(PREFIX + "auth.throttled").tag("connector", connector).tag("action", "tarpit")
        .description("AUTH attempts slowed or refused for failures across sessions (authFailureTarpitThreshold, "
            + "authFailureRefusalThreshold), by action").register(registry);
    authRefused = Counter.builder(PREFIX + "auth.throttled").tag("connector", connector).tag("action", "refused")
        .description("AUTH attempts slowed or refused for failures across sessions (authFailureTarpitThreshold, "
            + "authFailureRefusalThreshold), by action").register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(PREFIX + name).tag("connector", connector).description(description).register(registry);
  }

  /** A command line from the client: counted by its verb, without allocating. */
  void command(String line) {
    for (String verb : VERBS) {
      int n = verb.length();
      if (line.regionMatches(true, 0, verb, 0, n) && (line.length() == n || line.charAt(n) == ' ')) {
        commands.get(verb).increment();
        return;
      }
    }
    otherCommands.increment();
  }

  /** A reply written to the client: counted by class and enhanced code, and as a refusal when it is one. */
  void reply(SmtpReply reply) {
    int c = reply.code() / 100;
    if (c < 1 || c > 5) {
      return;
    }
    Map<String, Counter> byCode = replies[c];
    Counter counter = byCode.get(reply.enhancedStatus());
    if (counter == null) {
      String code = byCode.size() < MAX_ENHANCED_CODES ? reply.enhancedStatus() : "other";
      counter = byCode.computeIfAbsent(code, k -> Counter.builder(PREFIX + "replies").tag("connector", connector)
          .tag("class", c + "xx").tag("enhanced_code", k.isEmpty() ? "none" : k)
          .description("replies sent, by status class and enhanced status code").register(registry));
    }
    counter.increment();
    Refusal r = Refusal.of(reply);
    if (r != null) {
      refused[r.ordinal()].increment();
    }
  }

  /** The connector's failed-AUTH ledger: how many client IPs and accounts it remembers now. */
  void logons(AuthFailureLedger ledger) {
    Gauge.builder(PREFIX + "auth.failures.tracked", ledger, AuthFailureLedger::size).tag("connector", connector)
        .description("client IPs and accounts with failed AUTH remembered across sessions (bounded)")
        .register(registry);
  }
}
