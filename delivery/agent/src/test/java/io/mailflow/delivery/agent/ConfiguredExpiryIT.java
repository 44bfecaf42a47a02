package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.TransportService;
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
 * The organization's {@code transportService.messageExpirationTimeout} reaches the stage
 * ({@code Options.withTransportService}): with it at 3 s, a copy a smart host keeps refusing with 451 fails
 * with the 4.4.7 NDR seconds after it was received, where Exchange's default would keep retrying for 2 days.
 */
class ConfiguredExpiryIT {

  private static final Duration EXPIRATION = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static ScriptedSmtpServer smartHost;
  private static DeliveryRig rig;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("configured-expiry-it");
    smartHost = rig.smartHost(new ScriptedSmtpServer.Script().rcpt("busy@fabrikam.test", "451 4.7.1 Try again later"));
    tracking = rig.tracking;
    submissions = rig.submissions;
    Duration shrunk = Duration.ofMillis(300);
    TransportService service = TransportService.defaults().withRetry(6, shrunk, shrunk, shrunk, EXPIRATION);
    rig.start(DeliveryRig.organization(DeliveryRig.connector("Outbound", "fabrikam.test", smartHost)),
        dataDir.resolve("mailstore"), FastRetries.options().withTransportService(service));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void aRefusedCopyFailsWith447AfterTheConfiguredExpirationNotTwoDays() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant received = Instant.now();
    rig.publish(item(nmid, "alice@contoso.test", DeliveryType.SmartHostConnectorDelivery, "Outbound", received,
        external("busy@fabrikam.test", null)));

    TrackingEvent fail = tracking.await(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("FAIL"), 1, WAIT).get(0);
    Instant failedAt = Instant.now();
    assertEquals(List.of("busy@fabrikam.test"), fail.getRecipientAddress());
    assertTrue(fail.getRecipientStatus().get(0).startsWith("550 4.4.7 QUEUE.Expired; message expired "
        + "[Message=451 4.7.1 Try again later"), fail.getRecipientStatus().toString());
    List<TrackingEvent> defers = tracking.matching(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("DEFER"));
    // deferred (not failed at once) while not yet expired; how many retries fit in the window depends on how
    // soon this stage's delay-topic forwarder is assigned its partitions, so only "at least one" is asserted
    assertTrue(defers.size() >= 1, "deferred while not yet expired: " + defers.size() + " DEFER events");
    assertTrue(!failedAt.isBefore(received.plus(EXPIRATION)), "not before the configured expiration");
    assertTrue(failedAt.isBefore(received.plus(WAIT)), "seconds, not Exchange's default 2 days: "
        + Duration.between(received, failedAt));

    SubmittedMessage ndr = submissions.await(m -> body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>")
        && m.getEnvelope().getSubject().startsWith("Undeliverable:"), 1, WAIT).get(0);
    assertTrue(body(ndr).contains("Final-Recipient: rfc822; busy@fabrikam.test\r\nAction: failed\r\n"
        + "Status: 4.4.7\r\n"), body(ndr));
  }
}
