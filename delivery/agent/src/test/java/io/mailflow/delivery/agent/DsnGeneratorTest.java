package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.dsn.submission.Report;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.SmtpReply;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DsnGeneratorTest {

  static {
    Topics.SUBMISSION.name(); // loads the Avro codecs, which trust our generated classes (Avro 1.12)
  }

  private static final Instant NOW = Instant.parse("2026-11-24T20:00:05Z");
  private static final byte[] MESSAGE = ("From: alice@fabrikam.test\r\nSubject: Plans\r\nMessage-ID: <plans@fabrikam.test>"
      + "\r\n\r\nsecret body\r\n").getBytes(UTF_8);
  private static final SmtpReply UNKNOWN = SmtpReply.of(550, "5.1.1", "User unknown");

  private static Organization org(String serverName, AcceptedDomain... domains) {
    return new Organization(serverName, "Default-Site", KafkaTopics.defaults(), List.of(domains), List.of(),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
  }

  private static final Organization CONTOSO = org("EX01",
      new AcceptedDomain("fabrikam.test", AcceptedDomain.DomainType.Authoritative, false),
      new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true));

  private static final DsnGenerator GENERATOR = new DsnGenerator(new DsnReports(CONTOSO,
      Clock.fixed(NOW, ZoneOffset.UTC)));

  private static ResolvedRecipient rcpt(String address, DsnNotify... notify) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.EXTERNAL).setOrcpt("rfc822;" + address).setNotify(List.of(notify)).build();
  }

  private static DeliveryItem item(String sender, DsnRet ret, ResolvedRecipient... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId("nmid-1").setReceivedAt(Instant.parse("2026-11-22T20:00:00Z"))
        .setReceivingServer("EDGE1").setReceiveConnector("Default Frontend EDGE1").setSessionId("08DC0001")
        .setClientIp("127.0.0.1").setClientHostname("client.fabrikam.test").setSender(sender)
        .setMessageIdHeader("<plans@fabrikam.test>").setSubject("Plans").setSize(MESSAGE.length)
        .setDsnRet(ret).setEnvId("ENV+2B1").build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-1")
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
            .setNextHopDomain("tailspin.test").setConnector("Outbound").build())
        .setRecipients(List.of(recipients)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static String body(SubmittedMessage m) {
    ByteBuffer data = ((InlineBody) m.getBody()).getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, UTF_8);
  }

  @Test
  void oneDsnCoversEveryReportableFailedRecipientOfTheCopy() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("ok@tailspin.test"), rcpt("gone@tailspin.test"),
        rcpt("also-gone@tailspin.test", DsnNotify.FAILURE), rcpt("later@tailspin.test"));
    List<DeliveryOutcome> outcomes = List.of(
        new DeliveryOutcome.Delivered("ok@tailspin.test", SmtpReply.of(250, "2.1.5", "OK")),
        new DeliveryOutcome.Permanent("gone@tailspin.test", UNKNOWN),
        new DeliveryOutcome.Permanent("also-gone@tailspin.test", SmtpReply.of(552, "5.2.2", "Mailbox full")),
        new DeliveryOutcome.Transient("later@tailspin.test", SmtpReply.of(451, "4.7.1", "Greylisted")));

    Report dsn = GENERATOR.forFailures(copy, outcomes, MESSAGE, "mx.tailspin.test").orElseThrow();

    SubmittedMessage m = dsn.message();
    assertEquals("", m.getEnvelope().getSender());
    assertEquals(List.of("alice@fabrikam.test"), m.getRecipients().stream().map(r -> r.getAddress()).toList());
    assertEquals("EX01", m.getEnvelope().getReceivingServer());
    assertEquals("mailflow DSN", m.getEnvelope().getReceiveConnector());
    assertEquals(NOW, m.getEnvelope().getReceivedAt());
    assertNotEquals("nmid-1", m.getEnvelope().getNetworkMessageId());
    assertEquals("Undeliverable: Plans", m.getEnvelope().getSubject());
    assertEquals(body(m).length(), m.getEnvelope().getSize());
    String text = body(m);
    assertTrue(text.startsWith("From: postmaster@contoso.test\r\nTo: <alice@fabrikam.test>\r\n"), text);
    assertTrue(text.contains("Message-ID: <" + m.getEnvelope().getNetworkMessageId() + "@EX01.contoso.test>\r\n"),
        text);
    assertTrue(text.contains("Reporting-MTA: dns; EX01.contoso.test\r\nOriginal-Envelope-Id: ENV+1\r\n"
        + "Arrival-Date: Sun, 22 Nov 2026 20:00:00 +0000\r\n"), text);
    assertTrue(text.contains("Final-Recipient: rfc822; gone@tailspin.test\r\nOriginal-Recipient: rfc822;"
        + " gone@tailspin.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.tailspin.test\r\n"
        + "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"), text);
    assertTrue(text.contains("Final-Recipient: rfc822; also-gone@tailspin.test\r\n"), text);
    assertFalse(text.contains("ok@tailspin.test"), "delivered recipients are not reported");
    assertFalse(text.contains("later@tailspin.test"), "deferred recipients are not reported");
    assertFalse(text.contains("secret body"), "no RET: headers only");
    assertTrue(text.contains("Content-Type: text/rfc822-headers"), text);
  }

  @Test
  void anAdminDeletionIsReportedFailedWithStatus432AsExpiryKeeps447() {
    // Exchange's 550 4.3.2 QUEUE.Admin: the status keeps the transient class, as 550 4.4.7 QUEUE.Expired does
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("gone@tailspin.test"));
    String text = body(GENERATOR.forFailures(copy, List.of(new DeliveryOutcome.Permanent("gone@tailspin.test",
        MessageControl.REMOVED)), MESSAGE, null).orElseThrow().message()).replace("\r\n ", " "); // unfolded

    assertTrue(text.contains("Final-Recipient: rfc822; gone@tailspin.test\r\nOriginal-Recipient: rfc822;"
        + " gone@tailspin.test\r\nAction: failed\r\nStatus: 4.3.2\r\n"
        + "Diagnostic-Code: smtp; 550 4.3.2 QUEUE.Admin; message deleted by administrative action\r\n"), text);
    assertFalse(text.contains("Remote-MTA"), "no remote server answered: " + text);
  }

  @Test
  void trackingEventsLinkTheOriginalAndItsDsnBothWays() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("gone@tailspin.test"));
    Report dsn = GENERATOR.forFailures(copy,
        List.of(new DeliveryOutcome.Permanent("gone@tailspin.test", UNKNOWN)), MESSAGE, null).orElseThrow();
    String dsnId = dsn.message().getEnvelope().getNetworkMessageId();

    TrackingEvent original = dsn.events().get(0);
    assertEquals("DSN", original.getSource());
    assertEquals("DSN", original.getEventId());
    assertEquals("nmid-1", original.getNetworkMessageId());
    assertEquals("iid-1", original.getInternalMessageId());
    assertEquals(dsnId, original.getReference());
    assertEquals(List.of("gone@tailspin.test"), original.getRecipientAddress());
    assertEquals(List.of("550 5.1.1 User unknown"), original.getRecipientStatus());
    TrackingEvent report = dsn.events().get(1);
    assertEquals("DSN", report.getSource());
    assertEquals(dsnId, report.getNetworkMessageId());
    assertEquals("nmid-1", report.getReference());
    assertEquals(List.of("alice@fabrikam.test"), report.getRecipientAddress());
    assertEquals("", report.getSenderAddress());
    assertFalse(body(dsn.message()).contains("Remote-MTA"), "no remote host, no Remote-MTA");
  }

  @Test
  void noDsnAboutAMessageFromTheNullSender() {
    DeliveryItem bounce = item("", null, rcpt("gone@tailspin.test"));
    assertEquals(Optional.empty(), GENERATOR.forFailures(bounce,
        List.of(new DeliveryOutcome.Permanent("gone@tailspin.test", UNKNOWN)), MESSAGE, "mx.tailspin.test"));
  }

  @Test
  void notifyNeverOrWithoutFailureSuppressesTheDsn() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("a@tailspin.test", DsnNotify.NEVER),
        rcpt("b@tailspin.test", DsnNotify.SUCCESS, DsnNotify.DELAY));
    assertEquals(Optional.empty(), GENERATOR.forFailures(copy, List.of(
        new DeliveryOutcome.Permanent("a@tailspin.test", UNKNOWN),
        new DeliveryOutcome.Permanent("b@tailspin.test", UNKNOWN)), MESSAGE, null));
  }

  @Test
  void noFailedRecipientNoDsn() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("a@tailspin.test"));
    assertEquals(Optional.empty(), GENERATOR.forFailures(copy,
        List.of(new DeliveryOutcome.Delivered("a@tailspin.test", SmtpReply.of(250, "2.0.0", "OK"))), MESSAGE, null));
  }

  @Test
  void retFullReturnsTheWholeMessage() {
    DeliveryItem copy = item("alice@fabrikam.test", DsnRet.FULL, rcpt("gone@tailspin.test"));
    String text = body(GENERATOR.forFailures(copy,
        List.of(new DeliveryOutcome.Permanent("gone@tailspin.test", UNKNOWN)), MESSAGE, null).orElseThrow().message());
    assertTrue(text.contains("Content-Type: message/rfc822\r\n\r\nFrom: alice@fabrikam.test\r\n"), text);
    assertTrue(text.contains("secret body"), text);
  }

  @Test
  void theSameCopyProcessedTwiceGetsTheSameDsnNetworkMessageId() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt("gone@tailspin.test"));
    List<DeliveryOutcome> failed = List.of(new DeliveryOutcome.Permanent("gone@tailspin.test", UNKNOWN));
    DsnGenerator later = new DsnGenerator(new DsnReports(CONTOSO,
        Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC)));
    assertEquals(GENERATOR.forFailures(copy, failed, MESSAGE, null).orElseThrow().message().getEnvelope()
        .getNetworkMessageId(), later.forFailures(copy, failed, MESSAGE, null).orElseThrow().message().getEnvelope()
        .getNetworkMessageId());
  }

  @Test
  void withoutAnAcceptedDomainThePostmasterIsTheServers() {
    // the FQDN rule itself: schemas/organization ServerFqdnTest
    DsnGenerator bare = new DsnGenerator(new DsnReports(org("EX01"), Clock.fixed(NOW, ZoneOffset.UTC)));
    String text = body(bare.forFailures(item("a@x.test", null, rcpt("b@y.test")),
        List.of(new DeliveryOutcome.Permanent("b@y.test", UNKNOWN)), MESSAGE, null).orElseThrow().message());
    assertTrue(text.startsWith("From: postmaster@EX01\r\n"), "no accepted domain: postmaster of the server: " + text);
    assertNull(bare.forFailures(item("a@x.test", null, rcpt("b@y.test")),
        List.of(new DeliveryOutcome.Permanent("b@y.test", UNKNOWN)), MESSAGE, null).orElseThrow().message()
        .getEnvelope().getDsnRet(), "a DSN asks for nothing back");
  }

  @Test
  void aFailedRecipientWithoutAnAddressIsAnErrorThatSaysSo() {
    DeliveryItem copy = item("alice@fabrikam.test", null, rcpt(" "));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> GENERATOR.forFailures(copy, List.of(new DeliveryOutcome.Permanent(" ", UNKNOWN)), MESSAGE, null));
    assertTrue(e.getMessage().contains("final recipient"), e.getMessage());
  }
}
