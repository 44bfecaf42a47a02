package io.mailflow.dsn.submission;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.dsn.DsnAction;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.OriginalMessage;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.SmtpReply;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The one report writer both stages call: the two-way tracking link, each kind's texts and statuses, the
 * name-based id, and publishing. The texts and ids are the ones delivery and the categorizer wrote before they
 * shared this class (the tracking log and the mailbox store's de-duplication read them).
 */
class DsnReportsTest {

  private static final Instant NOW = Instant.parse("2026-11-24T20:00:05Z");
  private static final byte[] MESSAGE = ("From: alice@fabrikam.test\r\nSubject: Plans\r\n"
      + "Message-ID: <plans@fabrikam.test>\r\n\r\nbody\r\n").getBytes(UTF_8);
  private static final Organization CONTOSO = new Organization("EX01", "Default-Site", KafkaTopics.defaults(),
      List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)), List.of(),
      List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
  private static final DsnReports REPORTS = new DsnReports(CONTOSO, Clock.fixed(NOW, ZoneOffset.UTC));

  private static final Envelope ORIGINAL = Envelope.newBuilder().setNetworkMessageId("nmid-1")
      .setReceivedAt(Instant.parse("2026-11-22T20:00:00Z")).setReceivingServer("EDGE1")
      .setReceiveConnector("Default Frontend EDGE1").setSessionId("s1").setClientIp("127.0.0.1")
      .setClientHostname("client.fabrikam.test").setSender("alice@fabrikam.test")
      .setMessageIdHeader("<plans@fabrikam.test>").setSubject("Plans").setSize(MESSAGE.length).build();

  private static final DsnRecipient FAILED_A = new DsnRecipient("a@t.test", "rfc822;a@t.test", DsnAction.FAILED,
      SmtpReply.of(550, "5.1.1", "User unknown"), "mx.t.test");
  private static final DsnRecipient FAILED_B = new DsnRecipient("b@t.test", null, DsnAction.FAILED,
      SmtpReply.parse("550 4.4.7 QUEUE.Expired; message expired"), "mx.t.test");

  private static Report report(ReportKind kind, DsnRecipient... reported) {
    return REPORTS.report(kind, ORIGINAL, "iid-1", DsnSubmission.original(ORIGINAL, MESSAGE, false),
        List.of(reported), "iid-1");
  }

  @Test
  void theOriginalNamesItsReportAndTheReportNamesWhatItReportsOn() {
    Report report = report(ReportKind.NON_DELIVERY, FAILED_A, FAILED_B);
    String reportId = report.networkMessageId();
    assertEquals(List.of("alice@fabrikam.test"), report.message().getRecipients().stream()
        .map(r -> r.getAddress()).toList());
    assertEquals("", report.message().getEnvelope().getSender());
    assertEquals(2, report.events().size());

    TrackingEvent aboutOriginal = report.events().get(0);
    assertEquals(List.of("DSN", "DSN", "EX01"), List.of(aboutOriginal.getSource(), aboutOriginal.getEventId(),
        aboutOriginal.getServerHostname()));
    assertEquals(NOW, aboutOriginal.getDateTime());
    assertEquals("nmid-1", aboutOriginal.getNetworkMessageId());
    assertEquals("<plans@fabrikam.test>", aboutOriginal.getMessageId());
    assertEquals("iid-1", aboutOriginal.getInternalMessageId());
    assertEquals(reportId, aboutOriginal.getReference());
    assertEquals("alice@fabrikam.test", aboutOriginal.getRelatedRecipientAddress());
    assertEquals(List.of("a@t.test", "b@t.test"), aboutOriginal.getRecipientAddress());
    assertEquals(List.of("550 5.1.1 User unknown", "550 4.4.7 QUEUE.Expired; message expired"),
        aboutOriginal.getRecipientStatus());
    assertEquals("non-delivery report <" + reportId + "@EX01.contoso.test> to alice@fabrikam.test",
        aboutOriginal.getSourceContext());

    TrackingEvent aboutReport = report.events().get(1);
    assertEquals(List.of("DSN", "DSN"), List.of(aboutReport.getSource(), aboutReport.getEventId()));
    assertEquals(reportId, aboutReport.getNetworkMessageId());
    assertEquals("<" + reportId + "@EX01.contoso.test>", aboutReport.getMessageId());
    assertEquals("", aboutReport.getSenderAddress());
    assertEquals("nmid-1", aboutReport.getReference());
    assertEquals(List.of("alice@fabrikam.test"), aboutReport.getRecipientAddress());
    assertEquals(List.of(), aboutReport.getRecipientStatus());
    assertEquals("reports a@t.test, b@t.test of <plans@fabrikam.test>", aboutReport.getSourceContext());
  }

  @Test
  void eachKindWordsItsEventsAsExchangeDoes() {
    DsnRecipient delayed = new DsnRecipient("a@t.test", null, DsnAction.DELAYED,
        SmtpReply.of(451, "4.7.1", "Try again later"), "mx.t.test");
    Report delay = report(ReportKind.DELAY, delayed);
    assertEquals("delay notification <" + delay.networkMessageId() + "@EX01.contoso.test> to alice@fabrikam.test",
        delay.events().get(0).getSourceContext());
    assertEquals("delay notification on a@t.test of <plans@fabrikam.test>", delay.events().get(1).getSourceContext());

    Report success = report(ReportKind.DELIVERY,
        new DsnRecipient("a@t.test", null, DsnAction.DELIVERED, SmtpReply.of(250, "2.0.0", "Delivered"), null),
        new DsnRecipient("b@t.test", null, DsnAction.RELAYED, SmtpReply.of(250, "2.6.0", "Queued"), "mx.t.test"));
    assertEquals("delivery report <" + success.networkMessageId() + "@EX01.contoso.test> to alice@fabrikam.test",
        success.events().get(0).getSourceContext());
    assertEquals("delivery report on a@t.test, b@t.test of <plans@fabrikam.test>",
        success.events().get(1).getSourceContext());

    Report expanded = report(ReportKind.STATUS, new DsnRecipient("team@t.test", null, DsnAction.EXPANDED,
        SmtpReply.parse("250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"), null));
    assertEquals("delivery status notification <" + expanded.networkMessageId() + "@EX01.contoso.test> to"
        + " alice@fabrikam.test", expanded.events().get(0).getSourceContext());
    assertEquals("reports team@t.test of <plans@fabrikam.test>", expanded.events().get(1).getSourceContext());
  }

  @Test
  void delayAndSuccessStatusesNameTheActionOthersAreTheReplyLine() {
    assertEquals(List.of("delayed 451 4.7.1 Try again later"), report(ReportKind.DELAY, new DsnRecipient("a@t.test",
        null, DsnAction.DELAYED, SmtpReply.of(451, "4.7.1", "Try again later"), null)).events().get(0)
        .getRecipientStatus());
    assertEquals(List.of("delivered 250 2.0.0 Delivered", "relayed 250 2.6.0 Queued"), report(ReportKind.DELIVERY,
        new DsnRecipient("a@t.test", null, DsnAction.DELIVERED, SmtpReply.of(250, "2.0.0", "Delivered"), null),
        new DsnRecipient("b@t.test", null, DsnAction.RELAYED, SmtpReply.of(250, "2.6.0", "Queued"), null))
        .events().get(0).getRecipientStatus());
    DsnRecipient expanded = new DsnRecipient("team@t.test", null, DsnAction.EXPANDED,
        SmtpReply.of(250, "2.1.5", "RESOLVER.GRP.Expanded; distribution list expanded"), null);
    assertEquals(List.of("250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"),
        report(ReportKind.STATUS, expanded).events().get(0).getRecipientStatus());
    assertEquals(List.of("550 5.1.1 User unknown", "250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"),
        report(ReportKind.NON_DELIVERY, FAILED_A, expanded).events().get(0).getRecipientStatus(),
        "an NDR lists an expanded group's reply as it is");
  }

  @Test
  void theIdIsNamedAfterWhatIsReportedSoTheSameInputGivesTheSameReport() {
    DsnReports later = new DsnReports(CONTOSO, Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC));
    Report once = report(ReportKind.NON_DELIVERY, FAILED_A, FAILED_B);
    Report again = later.report(ReportKind.NON_DELIVERY, ORIGINAL, "iid-1",
        DsnSubmission.original(ORIGINAL, MESSAGE, false), List.of(FAILED_A, FAILED_B), "iid-1");
    assertEquals(once.networkMessageId(), again.networkMessageId());
    // the names the stages used before they shared this class: UUID v3 of "dsn:iid-1:a@t.test:b@t.test" …
    assertEquals("b3c252a5-720c-3ab0-a77a-1a39d7e5128e", once.networkMessageId());
    assertEquals("3d15ef2d-bde3-3cab-811f-28d64739c36c",
        ReportKind.DELAY.networkMessageId("iid-1", List.of(FAILED_A)));
    assertEquals("26133792-75bd-3779-86df-10ca5468268f",
        ReportKind.DELIVERY.networkMessageId("iid-1", List.of(FAILED_A)));
    assertEquals("90af9ebe-d8d1-36e8-8bc6-d2c760b71890", ReportKind.NON_DELIVERY.networkMessageId(
        "categorizer:n-1:carol@example.com", List.of(new DsnRecipient("ghost@contoso.test", null, DsnAction.FAILED,
            SmtpReply.of(550, "5.1.1", "x"), null))));
    assertEquals(ReportKind.NON_DELIVERY.networkMessageId("s", List.of(FAILED_A)),
        ReportKind.STATUS.networkMessageId("s", List.of(FAILED_A)), "one namespace for the categorizer's reports");
    assertNotEquals(once.networkMessageId(), report(ReportKind.NON_DELIVERY, FAILED_A).networkMessageId(),
        "other recipients, another report");
  }

  @Test
  void aReportNobodyMayGetIsAnErrorThatSaysWhy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> REPORTS.report(
        ReportKind.NON_DELIVERY, ORIGINAL, "iid-1", new OriginalMessage("", null, NOW, null, MESSAGE), List.of(FAILED_A),
        "iid-1"));
    assertEquals("no DSN about a message from the null sender <> (RFC 5321 6.1)", e.getMessage());
  }

  @Test
  void publishingSendsTheSubmissionThenEachEventAndAnswersOneAckPerRecord() throws Exception {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    Report report = report(ReportKind.NON_DELIVERY, FAILED_A);
    try (TopicPublisher publisher = new TopicPublisher(producer, "test")) {
      var acks = report.publish(publisher);
      assertEquals(3, acks.size());
      for (var ack : acks) {
        ack.get(10, TimeUnit.SECONDS);
      }
    }
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertEquals(List.of("mail.submission.v1", "mail.tracking.v1", "mail.tracking.v1"),
        sent.stream().map(ProducerRecord::topic).toList());
    assertEquals(List.of(report.networkMessageId(), "nmid-1", report.networkMessageId()),
        sent.stream().map(ProducerRecord::key).toList(), "each record keyed by the message it is about");
  }
}
