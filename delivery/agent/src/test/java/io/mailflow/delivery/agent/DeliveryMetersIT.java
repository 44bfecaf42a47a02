package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage-wide delivery meters move with real deliveries: attempts, outcomes by class, latency, DSNs. */
class DeliveryMetersIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final byte[] MESSAGE = "From: a@contoso.test\r\nSubject: m\r\n\r\nHi.\r\n".getBytes(UTF_8);
  private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  @TempDir static Path dataDir;
  private static DeliveryRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("delivery-meters-it");
    ScriptedSmtpServer host = rig.smartHost(new ScriptedSmtpServer.Script()
        .rcpt("gone@remote.test", "550 5.1.1 User unknown"));
    Organization org = DeliveryRig.organization("MF1", List.of(), DeliveryRig.connector("Out", "remote.test", host));
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options(), meters);
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static DeliveryItem item(String... addresses) {
    String nmid = UUID.randomUUID().toString();
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0004").setClientIp("127.0.0.1")
        .setClientHostname("client.contoso.test").setSender("a@contoso.test").setSize(MESSAGE.length).build();
    List<ResolvedRecipient> rcpts = java.util.Arrays.stream(addresses).map(a -> ResolvedRecipient.newBuilder()
        .setAddress(a).setOriginalAddress(a).setType(RecipientType.EXTERNAL).build()).toList();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain("remote.test").setConnector("Out").build())
        .setRecipients(rcpts).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static double count(String name, String... tags) {
    return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aDeliveredAndAFailedRecipientMoveAttemptsOutcomesLatencyAndANonDeliveryReport() throws Exception {
    rig.publisher.send(Topics.DELIVERY, "SmartHostConnectorDelivery:remote.test:Out",
        item("bob@remote.test", "gone@remote.test")).get();

    await().atMost(BOUND).until(() -> count("mailflow.delivery.dsns", "kind", "NON_DELIVERY") >= 1);
    assertEquals(1, count("mailflow.delivery.attempts", "delivery_type", "SmartHostConnectorDelivery"));
    assertEquals(1, count("mailflow.delivery.outcomes", "result", "delivered", "class", "2xx"));
    assertEquals(1, count("mailflow.delivery.outcomes", "result", "failed", "class", "5xx"));
    assertEquals(0, count("mailflow.delivery.outcomes", "result", "deferred"));
    assertEquals(1, meters.get("mailflow.delivery.latency").timer().count());
    assertEquals(1, count("mailflow.delivery.dsns", "kind", "NON_DELIVERY"));
    System.gc(); // a gauge over a weakly held supplier would read NaN from here on
    double open = meters.get("mailflow.delivery.smtp.connections.open").gauge().value();
    assertTrue(open >= 0 && open <= 1, "one connection at most, idle or closed by now: " + open);
    // the stage loop's and the delay topics' consumers are bound (client metrics appear within the refresh)
    await().atMost(BOUND).until(() -> meters.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("kafka.consumer.") && "delivery".equals(m.getId().getTag("stage")))
        .map(m -> m.getId().getTag("client.id")).distinct().count() >= 2);
  }
}
