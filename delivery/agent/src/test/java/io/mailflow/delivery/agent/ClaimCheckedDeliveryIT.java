package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.dsn.DsnBuilder;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claim-checked bodies through the delivery stage on the embedded broker: chunks on mail.bodies.v1, a
 * DeliveryItem carrying the BodyReference, delivered to a Maildir and relayed over SMTP octet for octet;
 * a body that does not match its reference is parked with the reason while other copies flow; a DSN for
 * such a message with RET=FULL returns its headers.
 */
class ClaimCheckedDeliveryIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int CHUNK = 256 * 1024;

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static ScriptedSmtpServer smartHost;
  private static TopicPublisher publisher;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<PoisonRecord> poison;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("claim-check-it");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script()
        .ehlo(List.of("250-sink.test Hello", "250-PIPELINING", "250-SIZE 104857600", "250-8BITMIME",
            "250 ENHANCEDSTATUSCODES"))
        .rcpt("refused@fabrikam.test", "550 5.1.1 User unknown"));
    Organization org = DeliveryRig.organization("MF1",
        List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)),
        DeliveryRig.connector("Outbound", "fabrikam.test", "mf1.contoso.test", smartHost));
    tracking = rig.tracking;
    poison = rig.tail(Topics.POISON);
    submissions = rig.submissions;
    publisher = rig.publisher;
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options()
        .withSmtp(new io.mailflow.delivery.agent.smtp.SmtpClientOptions().setReplyTimeout(Duration.ofSeconds(30))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static DeliveryItem item(String nmid, DeliveryType type, String domain, String connector, Object body,
      DsnRet ret, ResolvedRecipient... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0003").setClientIp("127.0.0.1")
        .setClientHostname("client.fabrikam.test").setSender("alice@contoso.test")
        .setMessageIdHeader("<" + nmid + "@contoso.test>").setSubject("Big " + nmid).setSize(1)
        .setDsnRet(ret).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(List.of(recipients)).setBody(body).build();
  }

  private static ResolvedRecipient mailbox(String address) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.MAILBOX).setMailboxDatabase("DB01").build();
  }

  private static ResolvedRecipient external(String address) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.EXTERNAL).build();
  }

  private static void publish(DeliveryItem item) throws Exception {
    rig.publish(item);
  }

  private static ClaimChecks.Stored stored(String nmid, int octets) throws Exception {
    byte[] body = ClaimChecks.body(octets);
    return ClaimChecks.publish(publisher, ClaimChecks.head("Big " + nmid, "<" + nmid + "@contoso.test>"),
        ClaimChecks.split(body, CHUNK));
  }

  private static List<Path> files(String address, String dir) throws Exception {
    Path path = dataDir.resolve("mailstore/DB01").resolve(address).resolve("Maildir").resolve(dir);
    if (!Files.isDirectory(path)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(path)) {
      return s.toList();
    }
  }

  @Test
  void aLargeMailboxCopyIsStoredOnceWithExactlyItsHeadAndChunks() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ClaimChecks.Stored big = stored(nmid, 12 * 1024 * 1024);
    assertTrue(big.chunks().size() > 40, "chunks: " + big.chunks().size());
    DeliveryItem copy = item(nmid, DeliveryType.SmtpDeliveryToMailbox, "DB01", null, big.reference(), null,
        mailbox("frank@contoso.test"), mailbox("grace@contoso.test"));
    publish(copy);

    TrackingEvent deliver = tracking.await(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("DELIVER"), 1, WAIT).get(0);
    assertEquals(List.of("frank@contoso.test", "grace@contoso.test"), deliver.getRecipientAddress());
    String expected = ClaimChecks.sha256(ClaimChecks.lf(big.message()));
    for (String address : List.of("frank@contoso.test", "grace@contoso.test")) {
      List<Path> stored = files(address, "new");
      assertEquals(1, stored.size(), address + ": " + stored);
      byte[] file = Files.readAllBytes(stored.get(0));
      String top = new String(file, 0, 300, UTF_8);
      assertTrue(top.startsWith("Return-Path: <alice@contoso.test>\nDelivered-To: " + address
          + "\nReceived: from EDGE1 by MF1 with mailflow (mail.delivery.v1) id iid-" + nmid + "; "), top);
      assertEquals(expected, ClaimChecks.sha256(ClaimChecks.afterLines(file, 3)), "octets after the trace headers");
      assertTrue(stored.get(0).getFileName().toString().endsWith(",S=" + file.length), stored.get(0).toString());
      assertEquals(List.of(), files(address, "tmp"), "nothing left in tmp/");
    }

    publish(copy); // a replay: absorbed by the store, not stored twice
    tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals("DELIVER"), 2, WAIT);
    assertEquals(1, files("frank@contoso.test", "new").size());
  }

  @Test
  void aLargeRelayedCopyArrivesOctetForOctetWithDotsStuffedAcrossChunkBoundaries() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ClaimChecks.Stored big = stored(nmid, 10 * 1024 * 1024);
    long boundariesBeforeADot = big.chunks().stream().filter(c -> c[0] == '.').count();
    assertTrue(boundariesBeforeADot >= 10, "chunks starting with a line '.': " + boundariesBeforeADot);
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", big.reference(), null,
        external("ok@fabrikam.test")));

    TrackingEvent send = tracking.await(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("SEND"), 1, WAIT).get(0);
    assertEquals(List.of("250 2.6.0 Queued mail for delivery"), send.getRecipientStatus());
    byte[] received = smartHost.messages.stream()
        .filter(m -> new String(m, 0, Math.min(m.length, 300), UTF_8).contains("id iid-" + nmid + ";"))
        .findFirst().orElseThrow();
    byte[] unstuffed = ClaimChecks.unstuffed(received);
    assertTrue(new String(unstuffed, 0, 200, UTF_8).startsWith("Received: from EDGE1 by MF1 with mailflow"));
    assertEquals(ClaimChecks.sha256(big.message()), ClaimChecks.sha256(ClaimChecks.afterLines(unstuffed, 1)),
        "the message after our Received line");
    List<String> mails = smartHost.commandsStartingWith("MAIL FROM:");
    long size = big.reference().getSize();
    assertTrue(mails.stream().anyMatch(m -> {
      long announced = Long.parseLong(m.replaceAll(".* SIZE=(\\d+).*", "$1"));
      return announced > size && announced < size + 200; // plus our Received line
    }), mails.toString());
  }

  @Test
  void aBodyWhoseDigestDoesNotMatchIsParkedWithTheReasonAndOtherCopiesFlow() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ClaimChecks.Stored big = stored(nmid, 1024 * 1024);
    BodyReference wrong = BodyReference.newBuilder(big.reference()).setSha256("00".repeat(32)).build();
    publish(item(nmid, DeliveryType.SmtpDeliveryToMailbox, "DB01", null, wrong, null, mailbox("heidi@contoso.test")));
    String after = UUID.randomUUID().toString();
    publish(item(after, DeliveryType.SmtpDeliveryToMailbox, "DB01", null,
        new InlineBody(ByteBuffer.wrap("Subject: small\r\n\r\nstill flowing\r\n".getBytes(UTF_8))), null,
        mailbox("heidi@contoso.test")));

    tracking.await(e -> e.getNetworkMessageId().equals(after) && e.getEventId().equals("DELIVER"), 1, WAIT);
    PoisonRecord parked = poison.await(p -> p.getReason().contains("iid-" + nmid), 1, WAIT).get(0);
    assertEquals(DeliveryStage.STAGE_NAME, parked.getStage());
    assertTrue(parked.getReason().contains("SHA-256") && parked.getReason().contains(big.reference().getBodyId())
        && parked.getReason().contains("network message id " + nmid)
        && parked.getReason().contains(Topics.BODIES.name() + "-" + big.reference().getPartition()),
        parked.getReason());
    List<Path> stored = files("heidi@contoso.test", "new");
    assertEquals(1, stored.size(), "only the intact copy: " + stored);
    assertTrue(Files.readString(stored.get(0), UTF_8).contains("still flowing"));
    assertEquals(List.of(), files("heidi@contoso.test", "tmp"), "the broken copy left nothing half-written");
  }

  @Test
  void aChunkOffsetThatIsGoneIsParkedNamingBodyPartitionAndOffset() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ClaimChecks.Stored big = stored(nmid, 600 * 1024);
    List<Long> offsets = new java.util.ArrayList<>(big.reference().getOffsets());
    long missing = offsets.get(offsets.size() - 1) + 1_000_000;
    offsets.set(offsets.size() - 1, missing);
    BodyReference gone = BodyReference.newBuilder(big.reference()).setOffsets(offsets).build();
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", gone, null,
        external("ok@fabrikam.test")));

    PoisonRecord parked = poison.await(p -> p.getReason().contains("iid-" + nmid), 1, WAIT).get(0);
    assertTrue(parked.getReason().contains("body " + big.reference().getBodyId() + " chunk " + (offsets.size() - 1)
        + " at " + Topics.BODIES.name() + "-" + big.reference().getPartition() + "@" + missing
        + " (network message id " + nmid + ")"), parked.getReason());
    assertTrue(smartHost.messages.stream().noneMatch(m -> new String(m, 0, Math.min(m.length, 300), UTF_8)
        .contains("id iid-" + nmid + ";")), "no truncated message was handed over (no final dot)");
    assertTrue(tracking.matching(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals("SEND"))
        .isEmpty());
  }

  @Test
  void aDsnForALargeMessageWithRetFullCarriesItsHeadersAndSaysWhy() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ClaimChecks.Stored big = stored(nmid, 1024 * 1024);
    publish(item(nmid, DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", big.reference(),
        DsnRet.FULL, external("refused@fabrikam.test")));

    SubmittedMessage dsn = submissions.await(m -> m.getEnvelope().getSender().isEmpty()
        && ReportedItems.body(m).contains("<" + nmid + "@contoso.test>"), 1, WAIT).get(0);
    String text = ReportedItems.body(dsn);
    assertTrue(text.contains("Content-Type: text/rfc822-headers\r\n"), text);
    assertFalse(text.contains("message/rfc822"), text);
    assertTrue(text.contains("\r\nSubject: Big " + nmid + "\r\n"), text);
    assertTrue(text.replace("\r\n", " ").contains(DsnBuilder.HEADERS_ONLY_NOTE), text);
    assertFalse(text.contains("claim-checked body"), "no body line in the DSN");
    assertTrue(text.length() < 16 * 1024, "headers only: " + text.length());
  }
}
