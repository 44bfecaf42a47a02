package io.mailflow.categorizer.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.categorizer.EnvelopeLimits;
import io.mailflow.categorizer.ExpandedGroup;
import io.mailflow.categorizer.FailedRecipient;
import io.mailflow.categorizer.RecipientResolver;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.dsn.submission.Report;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.DsnRet;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.Notify;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonDeliveryReportsTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  private static final String ORIGINAL = "From: Carol <carol@example.com>\r\nSubject: plans\r\n"
      + "Message-ID: <m1@example.com>\r\n\r\nsee you\r\n";
  private static final NonDeliveryReports NDRS = new NonDeliveryReports(new DsnReports(demo(),
      Clock.fixed(NOW, ZoneOffset.UTC)));

  private static Organization demo() {
    try {
      return OrganizationLoader.parse(OrganizationLoader.demoYaml(), "demo.yaml");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static SubmittedMessage message(String sender) {
    return SubmittedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId("n-1").setReceivedAt(NOW.minusSeconds(5))
            .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("s1")
            .setClientIp("127.0.0.1").setClientHostname("client").setSender(sender).setSize(ORIGINAL.length())
            .setMessageIdHeader("<m1@example.com>").setSubject("plans").setEnvId("env+2B1").setDsnRet(DsnRet.FULL)
            .build())
        .setRecipients(List.of(Recipient.newBuilder().setAddress("ghost@contoso.test").build()))
        .setBody(new InlineBody(ByteBuffer.wrap(ORIGINAL.getBytes(UTF_8))))
        .build();
  }

  private static FailedRecipient notFound(String address, String orcpt, List<Notify> notify) {
    return new FailedRecipient(address, null, orcpt, notify, RecipientResolver.RECIPIENT_NOT_FOUND);
  }

  private static String text(SubmittedMessage report) {
    ByteBuffer data = ((InlineBody) report.getBody()).getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, UTF_8);
  }

  @Test
  void everyFailedRecipientOfAMessageIsInOneReportFromTheNullSenderToTheSender() {
    List<Report> reports = NDRS.forFailures(message("carol@example.com"), "i-1", List.of(
        notFound("ghost@contoso.test", "rfc822;ghost@contoso.test", List.of()),
        notFound("ghoul@contoso.test", null, List.of(Notify.FAILURE, Notify.DELAY))));

    assertEquals(1, reports.size());
    SubmittedMessage report = reports.get(0).message();
    assertEquals("", report.getEnvelope().getSender());
    assertEquals("carol@example.com", report.getRecipients().get(0).getAddress());
    assertEquals("mailflow DSN", report.getEnvelope().getReceiveConnector());
    String dsn = text(report);
    assertTrue(dsn.contains("Reporting-MTA: dns; EX01.contoso.test\r\n"), dsn);
    assertTrue(dsn.contains("Original-Envelope-Id: env+1\r\n"), dsn);
    assertTrue(dsn.contains("Final-Recipient: rfc822; ghost@contoso.test\r\nOriginal-Recipient: rfc822;"
        + " ghost@contoso.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"), dsn);
    assertTrue(dsn.contains("Final-Recipient: rfc822; ghoul@contoso.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        + "Diagnostic-Code: smtp; 550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found\r\n"), dsn);
    assertFalse(dsn.contains("Remote-MTA"), "the categorizer is the reporting MTA; no remote answered");
    assertTrue(dsn.contains("Content-Type: message/rfc822"), "RET=FULL returns the whole message");
    assertTrue(dsn.contains("Subject: Undeliverable: plans"), dsn);
  }

  @Test
  void trackingLinksTheOriginalAndItsReportBothWays() {
    Report report = NDRS.forFailures(message("carol@example.com"), "i-1",
        List.of(notFound("ghost@contoso.test", null, List.of()))).get(0);
    TrackingEvent aboutOriginal = report.events().get(0);
    TrackingEvent aboutReport = report.events().get(1);
    String reportId = report.message().getEnvelope().getNetworkMessageId();
    assertEquals(List.of("DSN", "DSN", "DSN"), List.of(aboutOriginal.getEventId(), aboutOriginal.getSource(),
        aboutReport.getEventId()));
    assertEquals("n-1", aboutOriginal.getNetworkMessageId());
    assertEquals("i-1", aboutOriginal.getInternalMessageId());
    assertEquals(reportId, aboutOriginal.getReference());
    assertEquals(List.of(RecipientResolver.RECIPIENT_NOT_FOUND), aboutOriginal.getRecipientStatus());
    assertEquals(reportId, aboutReport.getNetworkMessageId());
    assertEquals("n-1", aboutReport.getReference());
  }

  @Test
  void notifyNeverOrWithoutFailureGetsNoReport() {
    assertEquals(List.of(), NDRS.forFailures(message("carol@example.com"), "i-1", List.of(
        notFound("ghost@contoso.test", null, List.of(Notify.NEVER)),
        notFound("ghoul@contoso.test", null, List.of(Notify.SUCCESS, Notify.DELAY)))));
  }

  @Test
  void aMessageFromTheNullSenderGetsNoReport() {
    assertEquals(List.of(), NDRS.forFailures(message(""), "i-1",
        List.of(notFound("ghost@contoso.test", null, List.of()))));
  }

  @Test
  void aReplayedSubmissionGetsNoReport() {
    SubmittedMessage replayed = message("carol@example.com");
    replayed.getEnvelope().setReplayOf("mail.submission.v1-0@42");
    assertEquals(List.of(), NDRS.forFailures(replayed, "i-1", List.of(notFound("ghost@contoso.test", null, List.of()))),
        "the original submission already reported its fate");
  }

  @Test
  void aGroupReportingToItsManagerSendsItsMembersFailuresThereWithoutTheOriginatorsEnvid() {
    List<Report> reports = NDRS.forFailures(message("carol@example.com"), "i-1", List.of(
        notFound("ghost@contoso.test", null, List.of()),
        new FailedRecipient("gone@contoso.test", "bob@contoso.test", null, List.of(),
            RecipientResolver.RECIPIENT_NOT_FOUND),
        new FailedRecipient("lost@contoso.test", "", null, List.of(), RecipientResolver.RECIPIENT_NOT_FOUND)));

    assertEquals(List.of("carol@example.com", "bob@contoso.test"),
        reports.stream().map(r -> r.message().getRecipients().get(0).getAddress()).toList(),
        "one report per report-to address; none for a group reporting to nobody");
    String manager = text(reports.get(1).message());
    assertFalse(manager.contains("Original-Envelope-Id"), manager);
    assertFalse(manager.contains("ghost@contoso.test\r\n"), manager);
  }

  @Test
  void wholeMessageFailuresReadTheirStatusFromTheReply() {
    String dsn = text(NDRS.forFailures(message("carol@example.com"), "i-1", List.of(
        new FailedRecipient("x@example.org", null, null, List.of(), EnvelopeLimits.TOO_MANY_RECIPIENTS)))
        .get(0).message());
    assertTrue(dsn.contains("Status: 5.5.3\r\nDiagnostic-Code: smtp; 550 5.5.3 RESOLVER.ADR.RecipLimit; too many"
        + " recipients\r\n"), dsn);
  }

  @Test
  void theSameFailuresProcessedTwiceGiveTheSameReportId() {
    List<FailedRecipient> failed = List.of(notFound("ghost@contoso.test", null, List.of()));
    NonDeliveryReports later = new NonDeliveryReports(new DsnReports(demo(),
        Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC)));
    assertEquals(NDRS.forFailures(message("carol@example.com"), "i-1", failed).get(0).message().getEnvelope()
            .getNetworkMessageId(),
        later.forFailures(message("carol@example.com"), "i-1", failed).get(0).message().getEnvelope()
            .getNetworkMessageId());
  }

  @Test
  void aClaimCheckedBodyIsReturnedAsItsHeadersOnly() {
    SubmittedMessage large = message("carol@example.com");
    large.setBody(BodyReference.newBuilder().setBodyId("b").setChunkCount(3).setSize(30_000_000)
        .setHead(ByteBuffer.wrap("Subject: plans\r\n\r\n".getBytes(UTF_8))).build());
    String dsn = text(NDRS.forFailures(large, "i-1", List.of(notFound("ghost@contoso.test", null, List.of())))
        .get(0).message());
    assertTrue(dsn.contains("Content-Type: text/rfc822-headers"), dsn);
  }

  @Test
  void aGroupExpandedForNotifySuccessIsReportedExpandedAlongsideTheFailures() {
    List<Report> reports = NDRS.reports(message("carol@example.com"), "i-1",
        List.of(notFound("ghost@contoso.test", null, List.of(Notify.FAILURE))),
        List.of(new ExpandedGroup("team@contoso.test", null, "rfc822;team@contoso.test",
            List.of(Notify.SUCCESS, Notify.FAILURE))));
    assertEquals(1, reports.size());
    String dsn = text(reports.get(0).message());
    assertTrue(dsn.contains("Final-Recipient: rfc822; team@contoso.test\r\nOriginal-Recipient: rfc822;"
        + " team@contoso.test\r\nAction: expanded\r\nStatus: 2.1.5\r\nDiagnostic-Code: smtp; 250 2.1.5"
        + " RESOLVER.GRP.Expanded; distribution list\r\n expanded\r\n"), dsn);
    assertTrue(dsn.contains("Action: failed"), dsn);
    assertTrue(dsn.contains("Subject: Undeliverable: plans"), "a failure names the report: " + dsn);
  }

  @Test
  void anExpansionAloneIsAnExpandedReportAndNeedsSuccess() {
    ExpandedGroup asked = new ExpandedGroup("team@contoso.test", null, null, List.of(Notify.SUCCESS));
    String dsn = text(NDRS.reports(message("carol@example.com"), "i-1", List.of(), List.of(asked)).get(0).message());
    assertTrue(dsn.contains("Subject: Expanded: plans"), dsn);
    assertEquals(List.of(), NDRS.reports(message("carol@example.com"), "i-1", List.of(),
        List.of(new ExpandedGroup("team@contoso.test", null, null, List.of(Notify.FAILURE)))));
  }
}
