package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Administrator;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.tracking.TrackingIndex;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/tracking, /tracking/report and /tracking/status over real HTTP, with a real TrackingIndex fed from the
 * embedded broker's mail.tracking.v1: every filter, their AND, paging by cursor, each 400 naming its parameter, the
 * 404 naming the id, and the logins (401; a ViewOnlyOrganizationManagement administrator reads). No event loop
 * blocks (the blocked-thread checker at 100 ms).
 */
class TrackingRoutesIT {
  private static final String PASSWORD = "correct horse";
  private static final List<String> blocked = new CopyOnWriteArrayList<>();
  private static Vertx vertx;
  private static AdminServer server;
  private static AdminServer without;
  private static Path dir;
  private static FederatedTrackingSearch tracking;
  private static String bootstrapServers;
  private static String base;
  /** Unique per run: the shared broker holds other tests' events. */
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String SENDER = "carol-" + RUN + "@contoso.test";
  private static final String OTHER_SENDER = "dave-" + RUN + "@fabrikam.test";
  private static final String NMID = "nmid-a-" + RUN;
  private static final String NMID_B = "nmid-b-" + RUN;
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);

  @BeforeAll
  static void start() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    Envelope a = envelope(NMID, SENDER, "<a-" + RUN + "@contoso.test>", "Budget " + RUN);
    Envelope b = envelope(NMID_B, OTHER_SENDER, "<b-" + RUN + "@fabrikam.test>", "Lunch " + RUN);
    String alice = "alice-" + RUN + "@contoso.test";
    String bob = "bob-" + RUN + "@contoso.test";
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "tracking-routes-it")) {
      for (TrackingEvent e : List.of(
          at("EX01.contoso.test", 0).about(a, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(alice, bob),
              List.of()).setInternalMessageId("101").build(),
          at("EX01.contoso.test", 1).about(a, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, List.of(alice),
              List.of("250 2.0.0 OK")).setInternalMessageId("101").build(),
          at("EX02.contoso.test", 2).about(a, TrackingSource.SMTP, TrackingEventId.FAIL, List.of(bob),
              List.of("550 5.1.1 unknown")).setInternalMessageId("102").build(),
          at("EX02.contoso.test", 3).about(b, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(alice),
              List.of()).setInternalMessageId("201").build(),
          at("EX02.contoso.test", 4).about(b, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, List.of(alice),
              List.of("250 2.0.0 OK")).setInternalMessageId("201").build())) {
        publisher.track(e).get(30, TimeUnit.SECONDS);
      }
    }
    dir = Files.createTempDirectory("tracking-routes-it");
    bootstrapServers = bootstrap;
    tracking = FederatedTrackingSearch.open(dir, List.of(
        new FederatedTrackingSearch.Cluster("EX01 at " + bootstrap, bootstrap)), TrackingIndex.Options.defaults());
    assertTrue(tracking.awaitCaughtUp(Duration.ofSeconds(60)));
    // on a loaded 2-core host class loading and first-use stalls trip the 100 ms limit now and then; what must never
    // be seen on an event loop is a search, a probe or a Kafka call
    vertx = AdminTestKit.watched(thread -> {
      String stack = java.util.Arrays.toString(thread.getStackTrace());
      if (stack.contains("org.apache.lucene") || stack.contains("io.mailflow.tracking")
          || stack.contains("org.apache.kafka")) {
        blocked.add(thread.getName() + " blocked at " + stack);
      }
    });
    List<Administrator> admins = List.of(
        new Administrator("alice", AdminTestKit.hash(PASSWORD), Administrator.Role.OrganizationManagement),
        new Administrator("viewer", AdminTestKit.hash(PASSWORD), Administrator.Role.ViewOnlyOrganizationManagement));
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    server = AdminServer.start(vertx, AdminServerOptions.loopback(0), admins, meters, List.of(), bootstrap, tracking)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    without = AdminServer.start(vertx, AdminServerOptions.loopback(0), admins, meters, List.of(), bootstrap)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = server.url();
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(List.of(), blocked, "no event loop searched, probed or called Kafka");
    server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    without.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Envelope envelope(String nmid, String sender, String messageId, String subject) {
    return Envelope.newBuilder().setNetworkMessageId(nmid).setSender(sender).setMessageIdHeader(messageId)
        .setSubject(subject).setSize(2048).setReceivedAt(T0).setReceivingServer("EX01").setSessionId("s1")
        .setClientIp("127.0.0.1").setReceiveConnector("Default Frontend EX01").setClientHostname("client.test")
        .build();
  }

  private static Tracking at(String server, long seconds) {
    return new Tracking(server, Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC));
  }

  private static HttpResponse<String> get(String query) throws Exception {
    return AdminTestKit.get(base, query, AdminTestKit.basic("viewer", PASSWORD));
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** "server event-id" of each event found by {@code query} (a query string, this run's window added). */
  private static List<String> found(String query) throws Exception {
    HttpResponse<String> r = get("/api/v1/tracking?" + query + "&start=" + q(T0.minusSeconds(1).toString()));
    assertEquals(200, r.statusCode(), r.body());
    List<String> names = new ArrayList<>();
    for (Object o : new JsonObject(r.body()).getJsonArray("events")) {
      JsonObject e = (JsonObject) o;
      names.add(e.getString("server-hostname") + " " + e.getString("event-id"));
    }
    return names;
  }

  @Test
  void eachFilterFindsItsEventsOldestFirst() throws Exception {
    assertEquals(List.of("EX01.contoso.test RECEIVE", "EX01.contoso.test DELIVER", "EX02.contoso.test FAIL"),
        found("sender=" + q(SENDER.toUpperCase())));
    assertEquals(List.of("EX01.contoso.test RECEIVE", "EX02.contoso.test FAIL"),
        found("recipients=" + q("bob-" + RUN + "@contoso.test") + "&recipients=" + q("nobody@contoso.test")));
    assertEquals(List.of("EX01.contoso.test RECEIVE", "EX01.contoso.test DELIVER", "EX02.contoso.test FAIL"),
        found("messageId=" + q("<a-" + RUN + "@contoso.test>")));
    assertEquals(List.of("EX02.contoso.test RECEIVE", "EX02.contoso.test DELIVER"), found("networkMessageId=" + NMID_B));
    assertEquals(List.of("EX02.contoso.test FAIL"), found("internalMessageId=102&sender=" + q(SENDER)));
    assertEquals(List.of("EX02.contoso.test FAIL"), found("eventId=fail&sender=" + q(SENDER)));
    assertEquals(List.of("EX01.contoso.test DELIVER"), found("source=STOREDRIVER&sender=" + q(SENDER)));
    assertEquals(List.of("EX02.contoso.test RECEIVE", "EX02.contoso.test DELIVER"),
        found("messageSubject=" + q("lunch " + RUN)));
    assertEquals(List.of("EX02.contoso.test FAIL"), found("server=ex02&sender=" + q(SENDER)));
    assertEquals(List.of("EX01.contoso.test DELIVER"), found("sender=" + q(SENDER) + "&end="
        + q(T0.plusSeconds(2).toString()) + "&eventId=DELIVER"));
    HttpResponse<String> window = get("/api/v1/tracking?sender=" + q(SENDER) + "&start="
        + q(T0.plusSeconds(2).toString()) + "&end=" + q(T0.plusSeconds(3).toString()));
    assertEquals(List.of("FAIL"), new JsonObject(window.body()).getJsonArray("events").stream()
        .map(o -> ((JsonObject) o).getString("event-id")).toList(), "start included, end excluded");
    // AND: every filter must hold
    assertEquals(List.of(), found("sender=" + q(SENDER) + "&networkMessageId=" + NMID_B));
  }

  @Test
  void answersCarryExchangeFieldNamesTotalAndCoverage() throws Exception {
    JsonObject page = new JsonObject(get("/api/v1/tracking?networkMessageId=" + NMID).body());
    assertEquals(3, page.getLong("total"));
    assertNull(page.getString("next"));
    assertEquals(new JsonArray(), page.getJsonArray("unreachable"));
    JsonObject first = page.getJsonArray("events").getJsonObject(0);
    assertEquals(T0.toString(), first.getString("date-time"));
    assertEquals(NMID, first.getString("network-message-id"));
    assertEquals(SENDER, first.getString("sender-address"));
    assertEquals("<a-" + RUN + "@contoso.test>", first.getString("message-id"));
    assertEquals(2, first.getJsonArray("recipient-address").size());
  }

  @Test
  void pagesFollowTheCursorToTheEnd() throws Exception {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> r = get("/api/v1/tracking?networkMessageId=" + NMID + "&resultSize=2"
          + (cursor == null ? "" : "&cursor=" + q(cursor)));
      assertEquals(200, r.statusCode(), r.body());
      JsonObject page = new JsonObject(r.body());
      assertEquals(3, page.getLong("total"));
      page.getJsonArray("events").forEach(o -> seen.add(((JsonObject) o).getString("event-id")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null && pages < 5);
    assertEquals(List.of("RECEIVE", "DELIVER", "FAIL"), seen);
    assertEquals(2, pages);
  }

  @Test
  void badInputIs400NamingTheParameter() throws Exception {
    bad("/api/v1/tracking?senders=x@y.test", "senders", "unknown parameter 'senders'");
    bad("/api/v1/tracking?start=2026-12-02&end=2026-12-01", "start", "is after End");
    bad("/api/v1/tracking?sender=" + q("not an address"), "sender", "Sender 'not an address' is not an SMTP address");
    bad("/api/v1/tracking?recipients=" + q("a@b.test,@@"), "recipients", "Recipients '@@'");
    bad("/api/v1/tracking?start=yesterday", "start", "Start 'yesterday' is not a time");
    bad("/api/v1/tracking?eventId=DELIVERED", "eventId", "EventId 'DELIVERED' is not one of");
    bad("/api/v1/tracking?resultSize=0", "resultSize", "ResultSize '0'");
    bad("/api/v1/tracking?cursor=bm90IG1pbmU", "cursor", "Cursor 'bm90IG1pbmU' is not a cursor");
    bad("/api/v1/tracking/report", "id", "id is required");
    bad("/api/v1/tracking/report?id=a&messageId=b", "messageId", "unknown parameter 'messageId'");
    bad("/api/v1/tracking/status?x=1", "x", "unknown parameter 'x'");
  }

  private static void bad(String path, String parameter, String says) throws Exception {
    HttpResponse<String> r = get(path);
    assertEquals(400, r.statusCode(), path + ": " + r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals("bad_request", body.getString("error"));
    assertEquals(parameter, body.getString("parameter"), r.body());
    assertTrue(body.getString("message").contains(says), "want '" + says + "' in " + r.body());
  }

  @Test
  void reportShowsEachRecipientsTimelineAndUnknownIdsAre404() throws Exception {
    HttpResponse<String> r = get("/api/v1/tracking/report?id=" + q("<a-" + RUN + "@contoso.test>"));
    assertEquals(200, r.statusCode(), r.body());
    JsonObject report = new JsonObject(r.body());
    assertEquals(new JsonArray().add(NMID), report.getJsonArray("networkMessageIds"));
    assertEquals(SENDER, report.getString("sender"));
    assertEquals(new JsonArray().add("EX01.contoso.test").add("EX02.contoso.test"), report.getJsonArray("servers"));
    JsonObject alice = line(report, "alice-" + RUN + "@contoso.test");
    assertEquals("Delivered", alice.getString("status"));
    JsonObject bob = line(report, "bob-" + RUN + "@contoso.test");
    assertEquals("Failed", bob.getString("status"));
    JsonObject last = bob.getJsonArray("events").getJsonObject(bob.getJsonArray("events").size() - 1);
    assertEquals("FAIL", last.getString("eventId"));
    assertEquals("550 5.1.1 unknown", last.getString("recipientStatus"));
    assertEquals(report.getJsonArray("recipients"), new JsonObject(get("/api/v1/tracking/report?id=" + NMID).body())
        .getJsonArray("recipients"), "by network message id too");

    HttpResponse<String> unknown = get("/api/v1/tracking/report?id=" + q("<nobody-" + RUN + "@x.test>"));
    assertEquals(404, unknown.statusCode(), unknown.body());
    JsonObject body = new JsonObject(unknown.body());
    assertEquals("unknown_message", body.getString("error"));
    assertEquals("<nobody-" + RUN + "@x.test>", body.getString("id"));
    assertTrue(body.getString("message").contains("<nobody-" + RUN + "@x.test>"), unknown.body());
  }

  private static JsonObject line(JsonObject report, String address) {
    for (Object o : report.getJsonArray("recipients")) {
      if (((JsonObject) o).getString("address").equalsIgnoreCase(address)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no line for " + address + " in " + report.encodePrettily());
  }

  @Test
  void statusNamesEachClusterAndItsIndex() throws Exception {
    HttpResponse<String> r = get("/api/v1/tracking/status");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject cluster = new JsonObject(r.body()).getJsonArray("clusters").getJsonObject(0);
    assertTrue(cluster.getString("name").startsWith("EX01 at "), r.body());
    assertTrue(cluster.getBoolean("reachable"));
    assertTrue(cluster.getLong("eventsIndexed") >= 5, r.body());
    assertNotNull(cluster.getJsonObject("positions"));
  }

  @Test
  void credentialsAreNeededAndAViewerMayRead() throws Exception {
    for (String path : List.of("/api/v1/tracking", "/api/v1/tracking/report?id=x", "/api/v1/tracking/status")) {
      assertEquals(401, AdminTestKit.get(base, path, null).statusCode(), path);
      assertEquals(401, AdminTestKit.get(base, path, AdminTestKit.basic("viewer", "wrong")).statusCode(), path);
    }
    assertEquals(200, AdminTestKit.get(base, "/api/v1/tracking?networkMessageId=" + NMID,
        AdminTestKit.basic("alice", PASSWORD)).statusCode());
    assertEquals(200, get("/api/v1/tracking?networkMessageId=" + NMID).statusCode(), "ViewOnly reads");
  }

  @Test
  void aMessagesDetailReadsItsTimelineFromTheIndex() throws Exception {
    String queue = QueuedCopies.queue();
    String id = "detail-" + RUN;
    QueuedCopies.write(bootstrapServers, io.mailflow.kafka.Topics.DELIVERY, queue,
        QueuedCopies.item(queue, id, "carol@fabrikam.test", Instant.now(), 1, "bob0@peer.test"));
    TrackingEvent received = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("EX01")
        .setSource("SMTP").setEventId("RECEIVE").setNetworkMessageId("nmid-" + id)
        .setRecipientAddress(List.of("bob0@peer.test")).build();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrapServers, "tracking-routes-it")) {
      publisher.sendAndWait(io.mailflow.kafka.Topics.TRACKING, "nmid-" + id, received, Duration.ofSeconds(10));
      // keyed otherwise, so on a partition the topic scan of the message's key never reads: only the index finds it
      publisher.sendAndWait(io.mailflow.kafka.Topics.TRACKING, "elsewhere-" + RUN, TrackingEvent.newBuilder(received)
          .setEventId("DEFER").setInternalMessageId(id).setDateTime(Instant.now().plusMillis(1))
          .setRecipientStatus(List.of("451 4.4.0 from the index")).build(), Duration.ofSeconds(10));
    }
    assertTrue(tracking.awaitCaughtUp(Duration.ofSeconds(30)));
    HttpResponse<String> r = get("/api/v1/messages/" + id);
    assertEquals(200, r.statusCode(), r.body());
    JsonArray events = new JsonObject(r.body()).getJsonArray("trackingEvents");
    assertEquals(List.of("RECEIVE", "DEFER"), events.stream().map(o -> ((JsonObject) o).getString("eventId")).toList(),
        events.encode());
    assertEquals("451 4.4.0 from the index", new JsonObject(r.body()).getJsonArray("recipients").getJsonObject(0)
        .getString("lastReply"));
  }

  @Test
  void aServerWithoutAnIndexSaysSo() throws Exception {
    HttpResponse<String> r = AdminTestKit.get(without.url(), "/api/v1/tracking", AdminTestKit.basic("viewer",
        PASSWORD));
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("tracking_unavailable", new JsonObject(r.body()).getString("error"));
  }
}
