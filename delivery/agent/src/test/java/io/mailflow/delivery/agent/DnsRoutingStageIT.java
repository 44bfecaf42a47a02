package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
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
 * DNS MX routing through the whole stage on the embedded broker, against {@link Dnsmasq} (skipped without
 * it): a copy whose preferred MX is down is sent to the next one (SEND), and a copy for a domain that
 * does not exist fails with 550 5.4.4 and a DSN to its sender.
 */
class DnsRoutingStageIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static Dnsmasq dnsmasq;
  private static ScriptedSmtpServer smartHost;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("dns-routing-it");
    dnsmasq = rig.dns(
        "--mx-host=fabrikam.test,mx1.fabrikam.test,10", "--mx-host=fabrikam.test,mx2.fabrikam.test,20",
        "--host-record=mx1.fabrikam.test,127.0.0.2", "--host-record=mx2.fabrikam.test,127.0.0.1");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script());
    Organization org = DeliveryRig.organization(
        new SendConnector("MxOut", List.of(new SendConnector.AddressSpace("*", 1)), List.of(),
            smartHost.port(), SendConnector.DEFAULT_MAX_MESSAGE_SIZE, List.of(), "", dnsmasq.server()));
    tracking = rig.tracking;
    submissions = rig.submissions;
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options());
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
  void aCopyWhosePreferredMxIsDownIsSentToTheNextMx() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, "alice@contoso.test", DeliveryType.DnsConnectorDelivery, "MxOut", Instant.now(),
        external("bob@fabrikam.test", null)));
    TrackingEvent send = awaitEvent(nmid, "SEND");
    assertEquals("MxOut", send.getConnectorId());
    assertEquals("127.0.0.1", send.getServerIp());
    assertTrue(send.getSourceContext().contains("MX mx1.fabrikam.test, mx2.fabrikam.test"), send.getSourceContext());
    assertTrue(send.getSourceContext().contains("127.0.0.2:" + smartHost.port()), send.getSourceContext());
  }

  @Test
  void aCopyForANonExistentDomainFailsWith544AndADsn() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(item(nmid, "carol@contoso.test", DeliveryType.DnsConnectorDelivery, "MxOut", Instant.now(),
        external("x@nowhere.test", null)));
    TrackingEvent fail = awaitEvent(nmid, "FAIL");
    assertTrue(fail.getRecipientStatus().get(0).startsWith("550 5.4.4 SMTPSEND.DNS.NonExistentDomain"),
        fail.getRecipientStatus().toString());
    String text = body(awaitDsnAbout(nmid));
    assertTrue(text.contains("Final-Recipient: rfc822; x@nowhere.test\r\nAction: failed\r\nStatus: 5.4.4\r\n"),
        text);
    assertFalse(text.contains("Remote-MTA"), "no remote server answered: " + text);
  }
}
