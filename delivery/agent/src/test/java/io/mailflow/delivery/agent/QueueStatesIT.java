package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue states as tracking events and metrics, and the admin's Suspend / Resume / Retry on
 * mail.control.v1, against a running delivery stage with a shrunken retry schedule.
 */
class QueueStatesIT {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final byte[] MESSAGE = "From: a@contoso.test\r\nSubject: q\r\n\r\nHi.\r\n".getBytes(UTF_8);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static ScriptedSmtpServer healthy;
  private static ScriptedSmtpServer refusing;
  private static TopicPublisher publisher;
  private static TopicTail<TrackingEvent> tracking;
  private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("queue-states-it");
    FastRetries.emptyDelayTopics(rig.bootstrap); // the suspended copy's round trips must not queue behind others'
    healthy = rig.smartHost(new ScriptedSmtpServer.Script());
    refusing = rig.smartHost(new ScriptedSmtpServer.Script()
        .greeting("421 4.3.2 Service not available, closing transmission channel"));
    Organization org = DeliveryRig.organization("MF1", List.of(),
        DeliveryRig.connector("Healthy", "healthy.test", healthy),
        DeliveryRig.connector("Refusing", "refusing.test", refusing));
    tracking = rig.tracking;
    publisher = rig.publisher;
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options(), meters);
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static DeliveryItem item(String nmid, String connector, String domain) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0003").setClientIp("127.0.0.1")
        .setClientHostname("client.contoso.test").setSender("a@contoso.test").setSize(MESSAGE.length).build();
    ResolvedRecipient rcpt = ResolvedRecipient.newBuilder().setAddress("x@" + domain).setOriginalAddress("x@" + domain)
        .setType(RecipientType.EXTERNAL).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(List.of(rcpt)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  /** A queue key no other test of the class uses, so each test sees only its own queue's events. */
  private static String key(String domain) {
    return "SmartHostConnectorDelivery:" + domain + ":" + UUID.randomUUID();
  }

  private static List<QueueState> states(String key) {
    return tracking.matching(e -> e.getQueue() != null && e.getQueue().getIdentity().equals(key)).stream()
        .map(TrackingEvent::getQueue).toList();
  }

  private static List<TrackingEvent> events(String nmid, String eventId) {
    return tracking.matching(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId));
  }

  private static void control(String key, String state) throws Exception {
    publisher.send(Topics.CONTROL, ControlView.key(ControlKind.QUEUE, key), ControlRecord.newBuilder()
        .setKind(ControlKind.QUEUE).setTarget(key).setState(state).setReason("maintenance window")
        .setSetBy("admin@ops1").setSetAt(Instant.now()).build()).get(10, TimeUnit.SECONDS);
  }

  private static double gauge(String name, String key, String... tags) {
    var search = meters.find(QueueStates.METRIC_PREFIX + name).tag("queue", key);
    if (tags.length == 2) {
      search = search.tag(tags[0], tags[1]);
    }
    var g = search.gauge();
    return g == null ? Double.NaN : g.value();
  }

  private static double counter(String name, String key) {
    var c = meters.find(QueueStates.METRIC_PREFIX + name).tag("queue", key).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aHealthyQueueIsActiveWhileDeliveringThenReadyWithNothingLeftAndItsMetricsSaySo() throws Exception {
    String key = key("healthy.test");
    String nmid = UUID.randomUUID().toString();
    publisher.send(Topics.DELIVERY, key, item(nmid, "Healthy", "healthy.test"));

    await().atMost(BOUND).until(() -> states(key).size() >= 2);
    List<QueueState> states = states(key);
    assertEquals("Active", states.get(0).getStatus());
    assertEquals(1, states.get(0).getMessageCount());
    assertEquals("SmartHostConnectorDelivery", states.get(0).getDeliveryType());
    assertEquals("healthy.test", states.get(0).getNextHopDomain());
    assertEquals("Ready", states.get(1).getStatus());
    assertEquals(0, states.get(1).getMessageCount());
    assertEquals(1, events(nmid, "SEND").size());
    TrackingEvent first = tracking.matching(e -> e.getQueue() != null && e.getQueue().getIdentity().equals(key))
        .get(0);
    assertEquals(QueueStates.SOURCE.name(), first.getSource());
    assertEquals(QueueStates.EVENT.name(), first.getEventId());

    await().atMost(BOUND).until(() -> counter("delivered", key) == 1.0);
    assertEquals(0.0, counter("deferred", key));
    assertEquals(0.0, counter("failed", key));
    assertEquals(0.0, gauge("messages", key));
    assertEquals(1.0, gauge("status", key, "status", "Ready"));
    assertEquals(0.0, gauge("status", key, "status", "Active"));
  }

  @Test
  void aRefusingDestinationPutsItsQueueInRetryWithTheLastErrorAndNextRetryTimeThenBackToReady() {
    String key = key("refusing.test");
    String nmid = UUID.randomUUID().toString();
    publisher.send(Topics.DELIVERY, key, item(nmid, "Refusing", "refusing.test"));

    await().atMost(BOUND).until(() -> states(key).stream().anyMatch(s -> s.getStatus().equals("Retry")));
    QueueState retry = states(key).stream().filter(s -> s.getStatus().equals("Retry")).findFirst().orElseThrow();
    assertTrue(retry.getLastError().contains("421 4.3.2"), retry.getLastError());
    assertNotNull(retry.getNextRetryTime());
    assertTrue(retry.getMessageCount() >= 1, "the deferred copy counts: " + retry);
    assertTrue(gauge("oldest.age", key) > 0, "the deferred copy's age since the edge received it");
    // the shrunken queue retry interval passes: the queue leaves Retry without a copy arriving to notice
    await().atMost(BOUND).until(() -> {
      List<QueueState> all = states(key);
      return all.indexOf(retry) < all.size() - 1 && all.subList(all.indexOf(retry) + 1, all.size()).stream()
          .anyMatch(s -> !s.getStatus().equals("Retry"));
    });
    assertTrue(counter("deferred", key) >= 1.0);
  }

  @Test
  void aSuspendedQueueMakesNoAttemptItsCopyWaitsAndGoesOnceResumed() throws Exception {
    String key = key("healthy.test");
    control(key, "Suspended");
    await().atMost(BOUND).until(() -> states(key).stream().anyMatch(s -> s.getStatus().equals("Suspended")));
    TrackingEvent suspendedEvent = tracking.matching(e -> e.getQueue() != null
        && e.getQueue().getIdentity().equals(key)).get(0);
    assertEquals("suspended by admin@ops1: maintenance window", suspendedEvent.getSourceContext());

    int connectionsBefore = healthy.connections();
    String nmid = UUID.randomUUID().toString();
    publisher.send(Topics.DELIVERY, key, item(nmid, "Healthy", "healthy.test"));
    // held twice at least: it went round the delay topic and was held again
    await().atMost(BOUND).until(() -> events(nmid, "DEFER").size() >= 2);
    TrackingEvent defer = events(nmid, "DEFER").get(0);
    assertEquals("451 4.4.0 Queue suspended by admin@ops1: maintenance window",
        defer.getRecipientStatus().get(0));
    assertTrue(defer.getSourceContext().contains("queue suspended; no attempt"), defer.getSourceContext());
    assertEquals(connectionsBefore, healthy.connections(), "no connection while suspended");
    assertTrue(events(nmid, "SEND").isEmpty());

    control(key, "Active");
    await().atMost(BOUND).until(() -> events(nmid, "SEND").size() == 1);
    assertTrue(states(key).stream().anyMatch(s -> s.getStatus().equals("Ready")));
  }

  @Test
  void retryNowReleasesAWaitingCopyFromItsDelayTopicBeforeItsTime() throws Exception {
    String key = key("healthy.test");
    String nmid = UUID.randomUUID().toString();
    Instant due = Instant.now().plus(Duration.ofHours(2));
    DeliveryItem waiting = item(nmid, "Healthy", "healthy.test");
    waiting.setAttempt(3);
    waiting.setNotBefore(due);
    publisher.send(Topics.RETRY_1H, key, waiting).get(10, TimeUnit.SECONDS);
    // the forwarder holds it: nothing happens for a while (it is due in two hours)
    await().during(Duration.ofSeconds(2)).atMost(BOUND).until(() -> events(nmid, "SEND").isEmpty());

    control(key, "Retry");
    await().atMost(BOUND).until(() -> events(nmid, "SEND").size() == 1);
    assertTrue(events(nmid, "SEND").get(0).getSourceContext().startsWith("attempt 4;"),
        events(nmid, "SEND").get(0).getSourceContext());
    assertTrue(Instant.now().isBefore(due));
  }
}
