package io.mailflow.tracking;

import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * SyntheticTraffic - realistic message-tracking events for the benchmark: messages from a Zipf-distributed population
 * (5,000 mailboxes at contoso.test, a few very busy, most quiet; 20% of mail from 2,000 outside senders at 200
 * domains), 1-4 recipients (a quarter outside), 5% to a 20-member group; each message RECEIVE at one of 4 servers,
 * TRANSFER, then per recipient DELIVER (STOREDRIVER) or SEND (to an outside host), 5% DEFER first, 2% FAIL with a
 * DSN. About 5 events per message; times spread evenly over {@code span} ending at {@code end}.
 */
final class SyntheticTraffic {
  static final int MAILBOXES = 5_000;
  static final int OUTSIDE = 2_000;
  private static final String[] SERVERS = {"ex01.contoso.test", "ex02.contoso.test", "ex03.contoso.test",
      "ex04.contoso.test"};
  private static final String[] WORDS = {"budget", "meeting", "report", "invoice", "lunch", "project", "review",
      "update", "quarterly", "numbers", "travel", "offsite", "hiring", "release", "incident", "roadmap"};

  private final SplittableRandom random;
  private final double[] zipf;

  SyntheticTraffic(long seed) {
    this.random = new SplittableRandom(seed);
    this.zipf = new double[MAILBOXES];
    double sum = 0;
    for (int i = 0; i < MAILBOXES; i++) {
      sum += 1.0 / Math.pow(i + 1, 0.9);
      zipf[i] = sum;
    }
    for (int i = 0; i < MAILBOXES; i++) {
      zipf[i] /= sum;
    }
  }

  /** Mailbox {@code i} (0 is the busiest). */
  static String mailbox(int i) {
    return "user" + i + "@contoso.test";
  }

  static String outside(int i) {
    return "person" + i + "@partner" + (i % 200) + ".test";
  }

  int zipfIndex() {
    double u = random.nextDouble();
    int lo = 0;
    int hi = MAILBOXES - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (zipf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  String anyAddress() {
    return random.nextInt(5) == 0 ? outside(random.nextInt(OUTSIDE)) : mailbox(zipfIndex());
  }

  /** Writes {@code events} events (whole messages; may run a few over) to {@code sink}, oldest first. */
  void generate(long events, Instant end, Duration span, Consumer<TrackingEvent> sink) {
    long messages = events / 5 + 1;
    long written = 0;
    long stepMs = Math.max(1, span.toMillis() / messages);
    Instant t = end.minus(span);
    while (written < events) {
      List<TrackingEvent> message = message(t);
      message.forEach(sink);
      written += message.size();
      t = t.plusMillis(stepMs);
    }
  }

  /** One message's events, starting at {@code t}. */
  List<TrackingEvent> message(Instant t) {
    String nmid = UUID.randomUUID().toString();
    boolean inbound = random.nextInt(5) == 0;
    String sender = inbound ? outside(random.nextInt(OUTSIDE)) : mailbox(zipfIndex());
    List<String> recipients = new ArrayList<>();
    int n = 1 + (random.nextInt(10) < 6 ? 0 : random.nextInt(4));
    for (int i = 0; i < n; i++) {
      String r = inbound ? mailbox(zipfIndex()) : anyAddress();
      if (!recipients.contains(r)) {
        recipients.add(r);
      }
    }
    String group = random.nextInt(20) == 0 ? "group" + random.nextInt(50) + "@contoso.test" : null;
    if (group != null) {
      recipients.add(group);
    }
    String subject = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " #"
        + random.nextInt(10_000);
    String server = SERVERS[random.nextInt(SERVERS.length)];
    Envelope env = Envelope.newBuilder().setNetworkMessageId(nmid).setSender(sender)
        .setMessageIdHeader("<" + UUID.randomUUID() + "@" + sender.substring(sender.indexOf('@') + 1) + ">")
        .setSubject(subject).setSize(2_000 + random.nextInt(200_000)).setReceivedAt(t).setReceivingServer(server)
        .setSessionId("08DD" + Long.toHexString(random.nextLong())).setClientIp("192.0.2." + random.nextInt(250))
        .setReceiveConnector("Default Frontend " + server).setClientHostname("client.test").build();
    List<TrackingEvent> events = new ArrayList<>();
    long ms = 0;
    events.add(at(server, t, ms).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, recipients, List.of())
        .setConnectorId("Default Frontend " + server).setClientIp(env.getClientIp())
        .setInternalMessageId(Long.toString(random.nextLong() & Long.MAX_VALUE)).build());
    List<String> finals = new ArrayList<>(recipients);
    if (group != null) {
      finals.remove(group);
      List<String> members = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        members.add(mailbox(((group.hashCode() & 0xffff) * 7 + i * 13) % MAILBOXES));
      }
      ms += 5;
      events.add(at(server, t, ms).about(env, TrackingSource.CATEGORIZER, TrackingEventId.EXPAND, members, List.of())
          .setRelatedRecipientAddress(group).build());
      finals.addAll(members);
    }
    ms += 10;
    events.add(at(server, t, ms).about(env, TrackingSource.ROUTING, TrackingEventId.TRANSFER, finals, List.of())
        .build());
    List<String> delivered = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (String r : finals) {
      if (r.endsWith("@contoso.test")) {
        delivered.add(r);
      } else {
        sent.add(r);
      }
    }
    if (random.nextInt(20) == 0 && !sent.isEmpty()) {
      ms += 100;
      events.add(at(server, t, ms).about(env, TrackingSource.SMTP, TrackingEventId.DEFER, sent,
          status(sent, "451 4.4.0 Primary target IP address responded with: 421 4.3.2 Service not available"))
          .setConnectorId("Internet").build());
      ms += 60_000;
    }
    if (random.nextInt(50) == 0 && !delivered.isEmpty()) {
      String failed = delivered.remove(0);
      ms += 20;
      events.add(at(server, t, ms).about(env, TrackingSource.STOREDRIVER, TrackingEventId.FAIL, List.of(failed),
          List.of("550 5.2.2 mailbox full")).build());
      events.add(at(server, t, ms + 1).about(env, TrackingSource.DSN, TrackingEventId.DSN, List.of(failed),
          List.of("5.2.2")).setRelatedRecipientAddress(sender).build());
    }
    if (!delivered.isEmpty()) {
      ms += 30;
      events.add(at(server, t, ms).about(env, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, delivered,
          status(delivered, "250 2.0.0 OK")).build());
    }
    if (!sent.isEmpty()) {
      ms += 200;
      events.add(at(server, t, ms).about(env, TrackingSource.SMTP, TrackingEventId.SEND, sent,
          status(sent, "250 2.0.0 Ok: queued")).setConnectorId("Internet").setServerIp("198.51.100.7").build());
    }
    return events;
  }

  private static List<String> status(List<String> rs, String s) {
    List<String> out = new ArrayList<>(rs.size());
    rs.forEach(r -> out.add(s));
    return out;
  }

  private static Tracking at(String server, Instant t, long ms) {
    return new Tracking(server, Clock.fixed(t.plusMillis(ms), ZoneOffset.UTC));
  }
}
