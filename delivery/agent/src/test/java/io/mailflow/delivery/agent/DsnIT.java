package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-delivery reports on the embedded broker: a smart host refuses a recipient (550) or a copy expires,
 * and the stage submits a DSN to mail.submission.v1 for the original sender; a message from {@code <>}
 * gets none.
 */
class DsnIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static ScriptedSmtpServer smartHost;
  private static DeliveryRig rig;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("dsn-it");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script().rcpt("refused@fabrikam.test", "550 5.1.1 User unknown"));
    tracking = rig.tracking;
    submissions = rig.submissions;
    rig.start(DeliveryRig.organization(DeliveryRig.connector("Outbound", "fabrikam.test", smartHost)),
        dataDir.resolve("mailstore"), FastRetries.options());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  private static void publish(DeliveryItem item) throws Exception {
    rig.publish(item);
  }

  private static TrackingEvent awaitEvent(String nmid, String eventId) {
    return tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), 1, WAIT)
        .get(0);
  }

  /** The DSN the stage submitted about {@code nmid}: the one whose body names the original Message-ID. */
  private static SubmittedMessage awaitDsnAbout(String nmid) {
    return submissions.await(m -> body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>")
        && m.getEnvelope().getSubject().startsWith("Undeliverable:"), 1, WAIT).get(0);
  }

  @Test
  void aRecipientRefusedWith550GetsItsSenderADsnOnTheSubmissionQueue() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("ok@fabrikam.test", null), external("refused@fabrikam.test", "rfc822;refused@fabrikam.test")));

    TrackingEvent fail = awaitEvent(nmid, "FAIL");
    assertEquals(List.of("refused@fabrikam.test"), fail.getRecipientAddress());
    SubmittedMessage dsn = awaitDsnAbout(nmid);
    assertEquals("", dsn.getEnvelope().getSender());
    assertEquals(List.of("alice@contoso.test"), dsn.getRecipients().stream().map(r -> r.getAddress()).toList());
    assertEquals("EX01", dsn.getEnvelope().getReceivingServer());
    assertEquals("mailflow DSN", dsn.getEnvelope().getReceiveConnector());
    assertEquals("Undeliverable: Report " + nmid, dsn.getEnvelope().getSubject());
    String text = body(dsn);
    assertTrue(text.startsWith("From: postmaster@contoso.test\r\nTo: <alice@contoso.test>\r\n"), text);
    assertTrue(text.contains("Content-Type: multipart/report; report-type=delivery-status;"), text);
    assertTrue(text.contains("Reporting-MTA: dns; EX01.contoso.test\r\nOriginal-Envelope-Id: ENV-" + nmid), text);
    assertTrue(text.contains("Final-Recipient: rfc822; refused@fabrikam.test\r\n"
        + "Original-Recipient: rfc822; refused@fabrikam.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        + "Remote-MTA: dns; 127.0.0.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"), text);
    assertFalse(text.contains("Final-Recipient: rfc822; ok@fabrikam.test"), "the delivered recipient is not reported");

    TrackingEvent dsnEvent = awaitEvent(nmid, "DSN");
    assertEquals("DSN", dsnEvent.getSource());
    assertEquals(dsn.getEnvelope().getNetworkMessageId(), dsnEvent.getReference());
    TrackingEvent aboutDsn = awaitEvent(dsn.getEnvelope().getNetworkMessageId(), "DSN");
    assertEquals(nmid, aboutDsn.getReference());
  }

  @Test
  void aFailingMessageFromTheNullSenderGetsNoDsn() throws Exception {
    String bounce = UUID.randomUUID().toString();
    publish(item(bounce, "", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("refused@fabrikam.test", null)));
    awaitEvent(bounce, "FAIL");
    // A message published after it fails too and does get its DSN: by then the first one's would be there.
    String control = UUID.randomUUID().toString();
    publish(item(control, "bob@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("refused@fabrikam.test", null)));
    awaitDsnAbout(control);
    awaitEvent(control, "DSN");

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(bounce)));
    assertEquals(List.of(), tracking.matching(e -> e.getNetworkMessageId().equals(bounce)
        && e.getEventId().equals("DSN")));
  }

  @Test
  void aCopyThatExpiresInTheQueueIsReportedFailedWith447() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant almostExpired = Instant.now().minus(Duration.ofDays(2)).plus(Duration.ofSeconds(2));
    publish(item(nmid, "carol@contoso.test", DeliveryType.DnsConnectorDelivery, "Internet", almostExpired,
        external("x@fabrikam.test", null)));

    String text = body(awaitDsnAbout(nmid));
    assertTrue(text.contains("Final-Recipient: rfc822; x@fabrikam.test\r\nAction: failed\r\nStatus: 4.4.7\r\n"
        + "Diagnostic-Code: smtp; 550 4.4.7 QUEUE.Expired; message expired"), text);
    assertFalse(text.contains("PT48H"), "Exchange's words, not a Java duration: " + text);
    assertFalse(text.contains("Remote-MTA"), "no remote server answered: " + text);
  }

  @Test
  void notifyNeverSuppressesTheDsnButNotTheFailEvent() throws Exception {
    String nmid = UUID.randomUUID().toString();
    ResolvedRecipient never = ResolvedRecipient.newBuilder(external("refused@fabrikam.test", null))
        .setNotify(List.of(DsnNotify.NEVER)).build();
    publish(item(nmid, "dave@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        never));
    awaitEvent(nmid, "FAIL");
    String control = UUID.randomUUID().toString();
    publish(item(control, "dave@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("refused@fabrikam.test", null)));
    awaitDsnAbout(control);

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(nmid)));
  }

  @Test
  void aReplayedCopyThatFailsGetsNoDsnButItsFailEvent() throws Exception {
    String nmid = UUID.randomUUID().toString();
    DeliveryItem replayed = DeliveryItem.newBuilder(item(nmid, "erin@contoso.test",
        DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(), external("refused@fabrikam.test", null)))
        .setReplayOf("mail.delivery.v1-0@42").build();
    publish(replayed);
    awaitEvent(nmid, "FAIL");
    String control = UUID.randomUUID().toString();
    publish(item(control, "erin@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", Instant.now(),
        external("refused@fabrikam.test", null)));
    awaitDsnAbout(control);

    assertEquals(List.of(), submissions.matching(m -> body(m).contains(nmid)));
    assertEquals(List.of(), tracking.matching(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("DSN")));
  }
}
