package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.SmartHost;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery stage on the embedded broker, delivering to a Maildir store and to scripted smart hosts. */
class DeliveryStageIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final byte[] MESSAGE = ("From: alice@fabrikam.test\r\nTo: bob@contoso.test\r\nSubject: stage\r\n"
      + "Message-ID: <stage@fabrikam.test>\r\n\r\nHello from the stage.\r\n").getBytes(UTF_8);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static ScriptedSmtpServer smartHost;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<DeliveryItem> deliveries;
  private static TopicTail<PoisonRecord> poison;
  private static TopicTail<DeliveryItem> retries;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("delivery-it");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script()
        .rcpt("refused@fabrikam.test", "550 5.1.1 User unknown")
        .rcptOnce("greylisted@fabrikam.test", "451 4.7.1 Greylisted, try again"));
    int deadPort = ScriptedSmtpServer.closedPort();
    Organization org = DeliveryRig.organization("MF1", List.of(),
        DeliveryRig.connector("Outbound", "fabrikam.test", "mf1.contoso.test", smartHost),
        new SendConnector("Failover", List.of(new SendConnector.AddressSpace("tailspin.test", 1)),
            List.of(new SmartHost("127.0.0.1", deadPort), new SmartHost("127.0.0.1", smartHost.port())),
            smartHost.port(), SendConnector.DEFAULT_MAX_MESSAGE_SIZE, List.of(), ""));
    tracking = rig.tracking;
    deliveries = rig.tail(Topics.DELIVERY);
    poison = rig.tail(Topics.POISON);
    retries = rig.tail(Topics.RETRY_1M);
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static DeliveryItem item(String nmid, DeliveryType type, String domain, String connector,
      Instant receivedAt, ResolvedRecipient... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(receivedAt).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0001").setClientIp("127.0.0.1")
        .setClientHostname("client.fabrikam.test").setSender("alice@fabrikam.test")
        .setMessageIdHeader("<stage@fabrikam.test>").setSubject("stage").setSize(MESSAGE.length).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(List.of(recipients)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static ResolvedRecipient mailbox(String address, String database) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.MAILBOX).setMailboxDatabase(database).build();
  }

  private static ResolvedRecipient external(String address) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.EXTERNAL).build();
  }

  private static void publish(DeliveryItem item) throws Exception {
    rig.publish(item);
  }

  private static List<TrackingEvent> awaitEvents(String nmid, String eventId, int count) {
    return tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), count, WAIT);
  }

  private static List<Path> newFiles(String database, String address) throws Exception {
    Path dir = dataDir.resolve("mailstore").resolve(database).resolve(address).resolve("Maildir/new");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void aMailboxCopyIsStoredWithTraceHeadersAndTrackedAsDeliver() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, DeliveryType.SmtpDeliveryToMailbox, "DB01", null, Instant.now(),
        mailbox("Bob@contoso.test", "DB01"), mailbox("carol@contoso.test", "DB02")));

    TrackingEvent deliver = awaitEvents(nmid, "DELIVER", 1).get(0);
    assertEquals("STOREDRIVER", deliver.getSource());
    assertEquals(List.of("Bob@contoso.test", "carol@contoso.test"), deliver.getRecipientAddress());
    assertEquals("iid-" + nmid, deliver.getInternalMessageId());
    assertEquals("MF1", deliver.getServerHostname());
    assertTrue(deliver.getRecipientStatus().get(0).startsWith("250 2.0.0 Delivered to mailbox as "));

    List<Path> bob = newFiles("DB01", "bob@contoso.test");
    assertTrue(bob.stream().anyMatch(p -> read(p).contains("id iid-" + nmid + ";")), "bob's Maildir: " + bob);
    String stored = bob.stream().map(DeliveryStageIT::read).filter(s -> s.contains("id iid-" + nmid + ";"))
        .findFirst().orElseThrow();
    assertTrue(stored.startsWith("Return-Path: <alice@fabrikam.test>\nDelivered-To: bob@contoso.test\n"
        + "Received: from EDGE1 by MF1 with mailflow (mail.delivery.v1) id iid-" + nmid + "; "), stored);
    assertTrue(stored.endsWith("\nSubject: stage\nMessage-ID: <stage@fabrikam.test>\n\nHello from the stage.\n"), stored);
    assertEquals(1, newFiles("DB02", "carol@contoso.test").stream().filter(p -> read(p).contains(nmid)).count());
  }

  @Test
  void aReplayedMailboxCopyIsAbsorbedNotStoredTwice() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem copy = item(nmid, DeliveryType.SmtpDeliveryToMailbox, "DB01", null, Instant.now(),
        mailbox("dave@contoso.test", "DB01"));
    publish(copy);
    awaitEvents(nmid, "DELIVER", 1);
    publish(copy);

    List<TrackingEvent> delivers = awaitEvents(nmid, "DELIVER", 2);
    assertTrue(delivers.get(1).getRecipientStatus().get(0).startsWith("250 2.0.0 Duplicate delivery absorbed"),
        delivers.get(1).getRecipientStatus().toString());
    assertEquals(1, newFiles("DB01", "dave@contoso.test").size());
  }

  @Test
  void aSmartHostCopyIsRelayedWithPerRecipientResults() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", Instant.now(),
        external("ok@fabrikam.test"), external("refused@fabrikam.test")));

    TrackingEvent send = awaitEvents(nmid, "SEND", 1).get(0);
    assertEquals("SMTP", send.getSource());
    assertEquals("Outbound", send.getConnectorId());
    assertEquals("127.0.0.1", send.getServerIp());
    assertEquals(List.of("ok@fabrikam.test"), send.getRecipientAddress());
    assertEquals(List.of("250 2.6.0 Queued mail for delivery"), send.getRecipientStatus());
    TrackingEvent fail = awaitEvents(nmid, "FAIL", 1).get(0);
    assertEquals(List.of("refused@fabrikam.test"), fail.getRecipientAddress());
    assertEquals(List.of("550 5.1.1 User unknown"), fail.getRecipientStatus());
    assertTrue(smartHost.commandsStartingWith("EHLO").contains("EHLO mf1.contoso.test"));
    assertTrue(smartHost.messages.stream().map(m -> new String(m, UTF_8))
        .anyMatch(m -> m.startsWith("Received: from EDGE1 by MF1 with mailflow (mail.delivery.v1) id iid-" + nmid)));
  }

  @Test
  void aDeadFirstSmartHostFailsOverToTheNext() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "tailspin.test", "Failover", Instant.now(),
        external("x@tailspin.test")));

    TrackingEvent send = awaitEvents(nmid, "SEND", 1).get(0);
    assertTrue(send.getSourceContext().contains("tried 127.0.0.1:"), send.getSourceContext());
    assertEquals(2, send.getSourceContext().split("127\\.0\\.0\\.1:").length - 1, send.getSourceContext());
    assertTrue(smartHost.commandsStartingWith("EHLO").contains("EHLO MF1"), "no connector Fqdn: the server name");
  }

  @Test
  void aDeferredRecipientWaitsAloneOnADelayTopicAndIsThenDelivered() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant published = Instant.now();
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", Instant.now(),
        external("first@fabrikam.test"), external("greylisted@fabrikam.test")));

    TrackingEvent defer = awaitEvents(nmid, "DEFER", 1).get(0);
    assertEquals(List.of("greylisted@fabrikam.test"), defer.getRecipientAddress());
    assertEquals(List.of("451 4.7.1 Greylisted, try again"), defer.getRecipientStatus());
    assertTrue(defer.getSourceContext().contains("deferred to mail.retry.1m.v1 until "), defer.getSourceContext());
    DeliveryItem waiting = retries.await(i -> i.getEnvelope().getNetworkMessageId().equals(nmid), 1, WAIT).get(0);
    assertEquals(1, waiting.getAttempt());
    assertTrue(!waiting.getNotBefore().isBefore(published.plusMillis(300)), "due after the glitch interval: "
        + waiting.getNotBefore());
    DeliveryItem again = deliveries.await(i -> i.getEnvelope().getNetworkMessageId().equals(nmid)
        && i.getAttempt() == 1, 1, WAIT).get(0);
    assertEquals(List.of("greylisted@fabrikam.test"),
        again.getRecipients().stream().map(ResolvedRecipient::getAddress).toList());

    List<TrackingEvent> sends = awaitEvents(nmid, "SEND", 2);
    List<String> sentTo = new ArrayList<>();
    sends.forEach(e -> sentTo.addAll(e.getRecipientAddress()));
    assertEquals(List.of("first@fabrikam.test", "greylisted@fabrikam.test"), sentTo);
  }

  @Test
  void copiesForAConnectorThisNodeDoesNotKnowAreDeferredNotLostUntilTheyExpire() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant almostExpired = Instant.now().minus(Duration.ofDays(2)).plus(Duration.ofSeconds(3));
    publish(item(nmid, DeliveryType.DnsConnectorDelivery, "example.test", "Internet", almostExpired,
        external("x@example.test")));

    TrackingEvent defer = awaitEvents(nmid, "DEFER", 1).get(0);
    assertTrue(defer.getRecipientStatus().get(0)
            .startsWith("451 4.4.0 send connector 'Internet' is not in this node's organization config"),
        defer.getRecipientStatus().toString());
    assertTrue(deliveries.await(i -> i.getEnvelope().getNetworkMessageId().equals(nmid), 1, WAIT).size() >= 1);

    TrackingEvent fail = awaitEvents(nmid, "FAIL", 1).get(0);
    assertTrue(fail.getRecipientStatus().get(0).startsWith("550 4.4.7 QUEUE.Expired; message expired"),
        fail.getRecipientStatus().toString());
    long requeuedBefore = deliveries.matching(i -> i.getEnvelope().getNetworkMessageId().equals(nmid)).size();
    Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
        deliveries.matching(i -> i.getEnvelope().getNetworkMessageId().equals(nmid)).size() == requeuedBefore);
  }

  @Test
  void aCopyForAnUnknownSendConnectorIsDeferredWithTheReason() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant almostExpired = Instant.now().minus(Duration.ofDays(2)).plus(Duration.ofSeconds(2));
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "nowhere.test", "NoSuchConnector", almostExpired,
        external("x@nowhere.test")));

    TrackingEvent defer = awaitEvents(nmid, "DEFER", 1).get(0);
    assertTrue(defer.getRecipientStatus().get(0).contains("send connector 'NoSuchConnector' is not in this node's"
        + " organization config"), defer.getRecipientStatus().toString());
    assertTrue(defer.getRecipientStatus().get(0).contains("(configuration error: sendConnectors[].name in the"
        + " organization config of "), "a config error, not a missing feature: " + defer.getRecipientStatus());
    assertTrue(defer.getSourceContext().contains("; configuration error: send connector 'NoSuchConnector' is not in"
        + " this node's organization config (sendConnectors[].name); deferred to "), defer.getSourceContext());
    awaitEvents(nmid, "FAIL", 1);
  }

  @Test
  void aClaimCheckedBodyWithABrokenReferenceIsParkedAsPoisonWithTheReasonNotDropped() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem referenced = DeliveryItem.newBuilder(item(nmid, DeliveryType.SmtpDeliveryToMailbox, "DB01", null,
            Instant.now(), mailbox("erin@contoso.test", "DB01")))
        .setBody(BodyReference.newBuilder().setBodyId("body-" + nmid).setChunkCount(3).setSize(3_000_000).build())
        .build();
    publish(referenced);

    PoisonRecord parked = poison.await(p -> p.getReason().contains("iid-" + nmid), 1, WAIT).get(0);
    assertEquals(DeliveryStage.STAGE_NAME, parked.getStage());
    assertTrue(parked.getReason().contains("claim-checked body unreadable: body body-" + nmid)
        && parked.getReason().contains("the reference lists 0 offsets for 3 chunks"), parked.getReason());
    assertEquals(List.of(), newFiles("DB01", "erin@contoso.test"));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
