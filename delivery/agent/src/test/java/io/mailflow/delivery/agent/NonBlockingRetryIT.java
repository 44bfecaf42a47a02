package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries never block: with Exchange's default schedule (1 min before the first retry), a smart host
 * that refuses every session must not hold up mail to a healthy one whose queue shares its partition.
 * A delivery stage that waited out the retry inside its batch would need over a minute; we allow 30 s.
 * Likewise a smart host that accepts the connection and then says nothing (a stalled peer) must not hold
 * up the healthy queue while its sessions wait out the reply timeout.
 */
class NonBlockingRetryIT {

  private static final Duration HEALTHY_BOUND = Duration.ofSeconds(30);
  private static final byte[] MESSAGE = "From: a@contoso.test\r\nSubject: retry\r\n\r\nHi.\r\n".getBytes(UTF_8);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static ScriptedSmtpServer healthy;
  private static ScriptedSmtpServer dead;
  private static ScriptedSmtpServer stalled;
  private static TopicPublisher publisher;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<DeliveryItem> retries;
  private static String healthyKey;
  private static String deadKey;
  private static String stalledKey;
  /** The stage's reply timeout: how long a stalled peer keeps each of its sessions waiting. */
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("non-blocking-retry-it");
    healthy = rig.smartHost(new ScriptedSmtpServer.Script());
    dead = rig.smartHost(new ScriptedSmtpServer.Script()
        .greeting("421 4.3.2 Service not available, closing transmission channel"));
    stalled = rig.smartHost(new ScriptedSmtpServer.Script().stallOn("EHLO"));
    Organization org = DeliveryRig.organization("MF1", List.of(),
        DeliveryRig.connector("Healthy", "healthy.test", healthy),
        DeliveryRig.connector("Dead", "dead.test", dead),
        DeliveryRig.connector("Stalled", "stalled.test", stalled));
    samePartitionKeys(rig.bootstrap);
    tracking = rig.tracking;
    retries = rig.tail(Topics.RETRY_1M);
    publisher = rig.publisher;
    rig.start(org, dataDir.resolve("mailstore"), DeliveryStage.Options.defaults()
        .withSmtp(new SmtpClientOptions().setReplyTimeout(REPLY_TIMEOUT).setConnectTimeout(Duration.ofSeconds(5)))
        .withLoop(StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(100))));
  }

  /** Next-hop keys that Kafka's default partitioner puts on the same partition of mail.delivery.v1. */
  private static void samePartitionKeys(String bootstrap) {
    int partitions;
    var config = KafkaClientConfig.consumer(bootstrap, "unused", "partition-count");
    config.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config)) {
      partitions = c.partitionsFor(Topics.DELIVERY.name()).size();
    }
    healthyKey = "SmartHostConnectorDelivery:healthy.test";
    int target = partition(healthyKey, partitions);
    deadKey = keyOn(target, partitions, "dead");
    stalledKey = keyOn(target, partitions, "stalled");
  }

  private static String keyOn(int target, int partitions, String name) {
    for (int i = 0; i < 1000; i++) {
      String candidate = "SmartHostConnectorDelivery:" + name + i + ".test";
      if (partition(candidate, partitions) == target) {
        return candidate;
      }
    }
    throw new IllegalStateException("no key found on partition " + target);
  }

  private static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      try {
        rig.close();
      } finally {
        // its copies wait a real minute on mail.retry.1m.v1; later classes retry every 300 ms
        FastRetries.emptyDelayTopics(rig.bootstrap);
      }
    }
  }

  private static DeliveryItem item(String nmid, String connector, String domain) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0002").setClientIp("127.0.0.1")
        .setClientHostname("client.contoso.test").setSender("a@contoso.test").setSize(MESSAGE.length).build();
    ResolvedRecipient rcpt = ResolvedRecipient.newBuilder().setAddress("x@" + domain).setOriginalAddress("x@" + domain)
        .setType(RecipientType.EXTERNAL).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(List.of(rcpt)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static List<TrackingEvent> events(List<String> nmids, String eventId) {
    return tracking.matching(e -> nmids.contains(e.getNetworkMessageId()) && e.getEventId().equals(eventId));
  }

  @Test
  void aDeadDestinationDoesNotHoldUpAHealthyOneOnTheSamePartitionAndItsQueueWaitsInRetry() throws Exception {
    List<String> deadIds = new ArrayList<>();
    List<String> healthyIds = new ArrayList<>();
    Instant start = Instant.now();
    for (int i = 0; i < 10; i++) {
      String d = UUID.randomUUID().toString();
      deadIds.add(d);
      publisher.send(Topics.DELIVERY, deadKey, item(d, "Dead", "dead.test"));
    }
    // The first dead copy has failed: a stage that waited out its retry would be sitting on it now.
    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).pollInterval(Duration.ofMillis(20))
        .until(() -> !events(deadIds, "DEFER").isEmpty());
    Instant healthyStart = Instant.now();
    for (int i = 0; i < 10; i++) {
      String h = UUID.randomUUID().toString();
      healthyIds.add(h);
      publisher.send(Topics.DELIVERY, healthyKey, item(h, "Healthy", "healthy.test"));
    }

    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).pollInterval(Duration.ofMillis(50))
        .until(() -> events(healthyIds, "SEND").size() == 10);
    assertTrue(Duration.between(healthyStart, Instant.now()).compareTo(Duration.ofMinutes(1)) < 0,
        "well inside the 1 min glitch retry interval");
    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).pollInterval(Duration.ofMillis(50))
        .until(() -> events(deadIds, "DEFER").size() == 10);

    // Every dead copy waits on the 1 min delay topic, due a minute after its deferral, nothing was lost.
    List<DeliveryItem> waiting = retries.await(i -> deadIds.contains(i.getEnvelope().getNetworkMessageId()), 10,
        HEALTHY_BOUND);
    for (DeliveryItem w : waiting) {
      assertTrue(w.getNotBefore().isAfter(start.plusSeconds(50)), "due about a minute later: " + w.getNotBefore());
      assertTrue(w.getAttempt() <= 1, "attempt " + w.getAttempt());
    }
    assertTrue(events(deadIds, "DEFER").stream().anyMatch(e -> e.getRecipientStatus().get(0).startsWith(
        "451 4.4.0 Primary target IP address responded with: \"421 4.3.2")), events(deadIds, "DEFER").toString());

    // The dead queue is in Retry now: later copies are deferred without a connection attempt.
    int connectionsBefore = dead.connections();
    List<String> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String d = UUID.randomUUID().toString();
      later.add(d);
      publisher.send(Topics.DELIVERY, deadKey, item(d, "Dead", "dead.test"));
    }
    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).until(() -> events(later, "DEFER").size() == 5);
    for (TrackingEvent e : events(later, "DEFER")) {
      assertTrue(e.getRecipientStatus().get(0).startsWith("451 4.4.0 Queue in Retry until "),
          e.getRecipientStatus().toString());
      assertTrue(e.getSourceContext().contains("no connection attempted"), e.getSourceContext());
    }
    assertEquals(connectionsBefore, dead.connections(), "no connection while the queue is in Retry");
  }

  @Test
  void aStalledDestinationDoesNotHoldUpAHealthyOneOnTheSamePartition() throws Exception {
    List<String> stalledIds = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String d = UUID.randomUUID().toString();
      stalledIds.add(d);
      publisher.send(Topics.DELIVERY, stalledKey, item(d, "Stalled", "stalled.test"));
    }
    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).until(() -> stalled.connections() > 0);
    List<String> healthyIds = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String h = UUID.randomUUID().toString();
      healthyIds.add(h);
      publisher.send(Topics.DELIVERY, healthyKey, item(h, "Healthy", "healthy.test"));
    }

    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND).pollInterval(Duration.ofMillis(50))
        .until(() -> events(healthyIds, "SEND").size() == 10);
    assertTrue(events(stalledIds, "DEFER").isEmpty(), "the healthy queue was served while the stalled peer's "
        + "sessions were still waiting out their " + REPLY_TIMEOUT.toSeconds() + " s reply timeout");
    org.awaitility.Awaitility.await().atMost(HEALTHY_BOUND.plus(REPLY_TIMEOUT)).pollInterval(Duration.ofMillis(50))
        .until(() -> events(stalledIds, "DEFER").size() == 10);
    assertTrue(events(stalledIds, "DEFER").stream().allMatch(e -> e.getRecipientStatus().get(0).startsWith(
        "421 4.4.2 Connection dropped due to TimedOut")), events(stalledIds, "DEFER").toString());
  }
}
