package io.mailflow.webhooks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Webhook;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks on the real embedded broker against real HTTP receivers on 127.0.0.1: each status change one signed
 * POST; an endpoint that answers 503 or is not listening gets everything once it is back (every id, duplicates only
 * with the same id and body); a 400 is dropped and counted and the next notifications flow; maxRetryTime drops; a
 * down endpoint does not hold up another.
 */
class WebhooksIT {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static String bootstrap;
  private static TopicPublisher publisher;
  private static Admin admin;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private SimpleMeterRegistry meters;
  private String run;

  @BeforeAll
  static void broker() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    publisher = TopicPublisher.create(bootstrap, "webhooks-it");
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  @AfterAll
  static void stop() {
    publisher.close();
    admin.close();
  }

  @BeforeEach
  void fresh() {
    meters = new SimpleMeterRegistry();
    run = UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Receiver receiver() throws Exception {
    Receiver r = new Receiver();
    closing.add(r);
    return r;
  }

  private Webhook webhook(String name, String url, Set<Webhook.Event> events, Duration maxRetryTime) {
    return new Webhook(name + "-" + run, url, "test.secret", SECRET, events, Duration.ofSeconds(5), maxRetryTime,
        true, false);
  }

  private Webhook webhook(String name, Receiver receiver) {
    return webhook(name, receiver.url(), EnumSet.allOf(Webhook.Event.class), Duration.ofHours(24));
  }

  private Webhooks start(Webhook... webhooks) {
    Webhooks started = Webhooks.start(bootstrap, List.of(webhooks), StageLoop.Options.defaults().withMeters(meters),
        true, new WebhookEndpoint.Options(Duration.ofMillis(200), Clock.systemUTC()));
    closing.add(started);
    return started;
  }

  private void publish(TrackingEvent... events) throws Exception {
    for (TrackingEvent e : events) {
      publisher.send(Topics.TRACKING, e.getNetworkMessageId().isEmpty() ? "queue" : e.getNetworkMessageId(), e).get();
    }
  }

  private String nmid(String n) {
    return run + "-" + n;
  }

  /** Whether the webhook's group has committed the end of every partition of mail.tracking.v1. */
  private boolean caughtUp(Webhook webhook) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
        WebhookStage.groupId(webhook.name())).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
    if (committed.isEmpty()) {
      return false;
    }
    var ends = admin.listOffsets(latest).all().get();
    return committed.entrySet().stream().allMatch(e -> e.getValue().offset() == ends.get(e.getKey()).offset());
  }

  private double count(Webhook webhook, String event, String outcome) {
    var counter = meters.find("mailflow.webhook.notifications").tag("endpoint", webhook.name()).tag("event", event)
        .tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private double pending(Webhook webhook) {
    return meters.get("mailflow.webhook.pending").tag("endpoint", webhook.name()).gauge().value();
  }

  @Test
  void eachStatusChangeIsOneSignedPostWithItsJson() throws Exception {
    Receiver receiver = receiver();
    Webhook hook = webhook("all", receiver);
    start(hook);
    publish(TrackingEvents.deliver(nmid("1"), "bob@contoso.test"),
        TrackingEvents.sendOut(nmid("2"), List.of("a@fabrikam.test", "b@fabrikam.test")),
        TrackingEvents.sendToOtherSite(nmid("3"), "c@contoso.test"),
        TrackingEvents.defer(nmid("4"), "d@fabrikam.test"),
        TrackingEvents.fail(nmid("5"), "e@fabrikam.test"),
        TrackingEvents.ndrAboutOriginal(nmid("6"), "e@fabrikam.test"),
        TrackingEvents.ndrAboutReport(nmid("6")),
        TrackingEvents.delayNotification(nmid("4"), "d@fabrikam.test"),
        TrackingEvents.receive(nmid("7")),
        TrackingEvents.queueState());
    await().atMost(WAIT).until(() -> receiver.accepted().size() >= 6 && caughtUp(hook));
    assertEquals(6, receiver.posts.size(), receiver.posts.toString());

    WebhookSignature signature = new WebhookSignature(SECRET);
    Map<String, List<JsonNode>> byEvent = new HashMap<>();
    for (Receiver.Post post : receiver.posts) {
      JsonNode body = JSON.readTree(post.body());
      assertTrue(signature.verifies(Long.parseLong(post.timestamp()), post.body(), post.signature()), post.text());
      long age = Instant.now().getEpochSecond() - Long.parseLong(post.timestamp());
      assertTrue(age >= 0 && age < 300, "a receiver refusing timestamps older than 5 min accepts it: " + age);
      assertEquals(body.get("id").asText(), post.id());
      assertEquals(body.get("event").asText(), post.event());
      byEvent.computeIfAbsent(post.event(), e -> new ArrayList<>()).add(body);
    }
    assertEquals(Set.of("delivered", "deferred", "failed", "bounced"), byEvent.keySet());
    assertEquals(3, byEvent.get("delivered").size());
    assertEquals(Set.of("bob@contoso.test", "a@fabrikam.test", "b@fabrikam.test"),
        byEvent.get("delivered").stream().map(b -> b.get("recipient").asText()).collect(Collectors.toSet()));
    JsonNode deferred = byEvent.get("deferred").get(0);
    assertEquals(nmid("4"), deferred.at("/message/network-message-id").asText());
    assertEquals("451 4.4.0 remote busy", deferred.get("status").asText());
    assertEquals("2026-12-07T21:01:00Z", deferred.get("next-retry-time").asText());
    JsonNode failed = byEvent.get("failed").get(0);
    assertEquals("550 5.1.1 User unknown", failed.get("status").asText());
    assertEquals("e@fabrikam.test", failed.get("recipient").asText());
    assertEquals("Quarterly report", failed.at("/message/message-subject").asText());
    assertEquals("alice@contoso.test", failed.at("/message/sender-address").asText());
    assertEquals(2048, failed.at("/message/total-bytes").asLong());
    assertEquals("EX01", failed.get("server").asText());
    JsonNode bounced = byEvent.get("bounced").get(0);
    assertEquals(nmid("6"), bounced.at("/message/network-message-id").asText());
    assertEquals("alice@contoso.test", bounced.at("/report/sent-to").asText());
    assertEquals(6, receiver.posts.stream().map(Receiver.Post::id).distinct().count());
    // one real notification as received, for the README's verification snippet (target/webhook-sample/)
    Receiver.Post sample = receiver.posts.get(0);
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "webhook-sample"));
    java.nio.file.Files.write(dir.resolve("body"), sample.body());
    java.nio.file.Files.writeString(dir.resolve("timestamp"), sample.timestamp());
    java.nio.file.Files.writeString(dir.resolve("signature"), sample.signature());
    assertEquals(3, count(hook, "delivered", "sent"));
    assertEquals(1, count(hook, "bounced", "sent"));
    assertEquals(0, pending(hook));
  }

  @Test
  void aNewEndpointStartsAtTheEndOfTheTrackingLog() throws Exception {
    Receiver receiver = receiver();
    publish(TrackingEvents.fail(nmid("before"), "x@fabrikam.test")); // before the endpoint existed: history
    Webhook hook = webhook("fresh", receiver);
    start(hook);
    publish(TrackingEvents.fail(nmid("after"), "x@fabrikam.test"));
    await().atMost(WAIT).until(() -> receiver.accepted().size() >= 1 && caughtUp(hook));
    assertEveryOnceBack(receiver, List.of(nmid("after")));
  }

  @Test
  void onlyTheConfiguredEventsAreSent() throws Exception {
    Receiver receiver = receiver();
    Webhook hook = webhook("failures", receiver.url(), EnumSet.of(Webhook.Event.Failed, Webhook.Event.Bounced),
        Duration.ofHours(1));
    start(hook);
    publish(TrackingEvents.deliver(nmid("1"), "bob@contoso.test"), TrackingEvents.fail(nmid("2"), "x@fabrikam.test"),
        TrackingEvents.defer(nmid("3"), "y@fabrikam.test"));
    await().atMost(WAIT).until(() -> receiver.accepted().size() >= 1 && caughtUp(hook));
    assertEquals(List.of("failed"), receiver.posts.stream().map(Receiver.Post::event).toList());
  }

  /** Every notification, once the receiver answers again: each id at least once, a repeat only with the same body. */
  private void assertEveryOnceBack(Receiver receiver, List<String> nmids) {
    Map<String, List<Receiver.Post>> byId = receiver.accepted().stream()
        .collect(Collectors.groupingBy(Receiver.Post::id));
    assertEquals(nmids.size(), byId.size(), byId.keySet().toString());
    Set<String> seen = receiver.accepted().stream().map(p -> {
      try {
        return JSON.readTree(p.body()).at("/message/network-message-id").asText();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).collect(Collectors.toSet());
    assertEquals(Set.copyOf(nmids), seen);
    byId.values().forEach(posts -> assertEquals(1, posts.stream().map(Receiver.Post::text).distinct().count()));
  }

  @Test
  void anEndpointAnswering503GetsEverythingWhenItIsBack() throws Exception {
    Receiver receiver = receiver();
    receiver.answer(503);
    Webhook hook = webhook("flaky", receiver);
    Webhooks webhooks = start(hook);
    List<String> nmids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      nmids.add(nmid("m" + i));
      publish(TrackingEvents.deliver(nmids.get(i), "bob@contoso.test"));
    }
    await().atMost(WAIT).until(() -> webhooks.stages().get(0).pending() == 10
        && count(hook, "delivered", "retried") >= 3);
    assertEquals(0, receiver.accepted().size());
    receiver.answer(200);
    await().atMost(WAIT).until(() -> count(hook, "delivered", "sent") == 10 && caughtUp(hook));
    assertEveryOnceBack(receiver, nmids);
    assertEquals(0, count(hook, "delivered", "dropped"));
    assertEquals(0, pending(hook));
  }

  @Test
  void anEndpointNotListeningGetsEverythingWhenItListensAgain() throws Exception {
    Receiver receiver = receiver();
    receiver.stopListening();
    Webhook hook = webhook("offline", receiver);
    start(hook);
    List<String> nmids = List.of(nmid("a"), nmid("b"), nmid("c"), nmid("d"), nmid("e"));
    for (String n : nmids) {
      publish(TrackingEvents.fail(n, "z@fabrikam.test"));
    }
    await().atMost(WAIT).until(() -> count(hook, "failed", "retried") >= 5 && pending(hook) == 5);
    receiver.listenAgain();
    await().atMost(WAIT).until(() -> count(hook, "failed", "sent") == 5 && caughtUp(hook));
    assertEveryOnceBack(receiver, nmids);
  }

  @Test
  void aTimeoutAndA429AreRetriedWithTheSameId() throws Exception {
    Receiver receiver = receiver();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    receiver.answer(body -> {
      int call = calls.incrementAndGet();
      if (call == 1) {
        try {
          Thread.sleep(3_000); // past the webhook's 1 s timeout: the sender gave up on this one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 200;
      }
      return call == 2 ? 429 : 200;
    });
    Webhook hook = new Webhook("slow-" + run, receiver.url(), "test.secret", SECRET, EnumSet.allOf(Webhook.Event.class),
        Duration.ofSeconds(1), Duration.ofHours(1), true, false);
    start(hook);
    publish(TrackingEvents.fail(nmid("1"), "x@fabrikam.test"));
    // the receiver records the timed-out POST when its handler returns, after the sender gave up on it
    await().atMost(WAIT).until(() -> count(hook, "failed", "sent") == 1 && caughtUp(hook)
        && receiver.posts.size() == 3);
    assertEquals(2, count(hook, "failed", "retried"), "the timeout and the 429");
    assertEquals(1, receiver.posts.stream().map(Receiver.Post::id).distinct().count(), "one id across the retries");
    assertEquals(1, receiver.posts.stream().map(Receiver.Post::text).distinct().count(), "one body across the retries");
  }

  @Test
  void aRestartSendsWhatWasNotAnsweredWithTheSameIds() throws Exception {
    Receiver receiver = receiver();
    receiver.answer(503);
    Webhook hook = webhook("restart", receiver);
    Webhooks first = Webhooks.start(bootstrap, List.of(hook), StageLoop.Options.defaults().withMeters(meters), true,
        new WebhookEndpoint.Options(Duration.ofMillis(200), Clock.systemUTC()));
    List<String> nmids = List.of(nmid("r1"), nmid("r2"), nmid("r3"));
    for (String n : nmids) {
      publish(TrackingEvents.deliver(n, "bob@contoso.test"));
    }
    await().atMost(WAIT).until(() -> receiver.posts.stream().map(Receiver.Post::id).distinct().count() == 3);
    Set<String> idsBefore = receiver.posts.stream().map(Receiver.Post::id).collect(Collectors.toSet());
    first.close(); // nothing was answered 2xx: nothing is committed
    assertTrue(!caughtUp(hook));
    receiver.answer(200);
    meters = new SimpleMeterRegistry();
    start(hook);
    await().atMost(WAIT).until(() -> count(hook, "delivered", "sent") == 3 && caughtUp(hook));
    assertEveryOnceBack(receiver, nmids);
    assertEquals(idsBefore, receiver.accepted().stream().map(Receiver.Post::id).collect(Collectors.toSet()));
  }

  @Test
  void a400IsDroppedAndCountedAndTheNextOnesFlow() throws Exception {
    Receiver receiver = receiver();
    receiver.answer(body -> body.contains("reject@") ? 400 : 200);
    Webhook hook = webhook("picky", receiver);
    start(hook);
    publish(TrackingEvents.fail(nmid("1"), "reject@fabrikam.test"), TrackingEvents.deliver(nmid("2"), "ok@contoso.test"),
        TrackingEvents.deliver(nmid("3"), "ok@contoso.test"));
    await().atMost(WAIT).until(() -> count(hook, "failed", "dropped") == 1 && count(hook, "delivered", "sent") == 2
        && caughtUp(hook));
    assertEquals(1, receiver.posts.stream().filter(p -> p.text().contains("reject@")).count(), "a 400 is not retried");
    assertEquals(0, count(hook, "failed", "retried"));
    assertEquals(0, pending(hook));
  }

  @Test
  void aNotificationFailingPastMaxRetryTimeIsDroppedAndCommitted() throws Exception {
    Receiver receiver = receiver();
    receiver.answer(500);
    Webhook hook = webhook("brief", receiver.url(), EnumSet.allOf(Webhook.Event.class), Duration.ofSeconds(2));
    start(hook);
    publish(TrackingEvents.defer(nmid("1"), "slow@fabrikam.test"));
    await().atMost(WAIT).until(() -> count(hook, "deferred", "dropped") == 1 && caughtUp(hook));
    assertTrue(receiver.posts.size() >= 2, "retried before it was given up: " + receiver.posts.size());
    assertEquals(0, pending(hook));
  }

  @Test
  void whatWaitsForADownEndpointPastMaxRetryTimeIsDroppedTriedOrNot() throws Exception {
    Receiver receiver = receiver();
    receiver.stopListening();
    Webhook hook = webhook("gone", receiver.url(), EnumSet.allOf(Webhook.Event.class), Duration.ofSeconds(2));
    start(hook);
    for (int i = 0; i < 5; i++) {
      publish(TrackingEvents.fail(nmid("g" + i), "x@fabrikam.test"));
    }
    // one probe at a time while down: most are never tried, and are dropped all the same once their time is up
    await().atMost(WAIT).until(() -> count(hook, "failed", "dropped") == 5 && caughtUp(hook));
    assertEquals(0, pending(hook));
    receiver.listenAgain();
    publish(TrackingEvents.fail(nmid("after"), "x@fabrikam.test"));
    await().atMost(WAIT).until(() -> count(hook, "failed", "sent") == 1 && caughtUp(hook));
    assertEveryOnceBack(receiver, List.of(nmid("after")));
  }

  @Test
  void aDownEndpointDoesNotHoldUpAnother() throws Exception {
    Receiver down = receiver();
    down.stopListening();
    Receiver up = receiver();
    Webhook downHook = webhook("down", down);
    Webhook upHook = webhook("up", up);
    start(downHook, upHook);
    List<String> nmids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nmids.add(nmid("p" + i));
      publish(TrackingEvents.deliver(nmids.get(i), "bob@contoso.test"));
    }
    await().atMost(WAIT).until(() -> up.accepted().size() == 5 && caughtUp(upHook));
    assertEquals(5, pending(downHook), "the down endpoint still holds them");
    assertTrue(!caughtUp(downHook));
    assertEveryOnceBack(up, nmids);
    down.listenAgain();
    await().atMost(WAIT).until(() -> count(downHook, "delivered", "sent") == 5 && caughtUp(downHook));
    assertEveryOnceBack(down, nmids);
  }
}
