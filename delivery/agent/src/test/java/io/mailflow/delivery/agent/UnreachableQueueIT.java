package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
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
 * The Unreachable queue on the embedded broker with the shrunken schedule: a copy routing found no next
 * hop for waits its retry interval on a delay topic; coming back due it goes back to routing on
 * mail.categorized.v1 with its attempts; an expired one fails with 550 5.4.4 ROUTING.NoNextHop and an
 * NDR. The whole round trip through the forwarder and routing: ops/cli UnreachableRerouteIT.
 */
class UnreachableQueueIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static DeliveryRig rig;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;
  private static TopicTail<CategorizedMessage> categorized;
  private static TopicTail<DeliveryItem> delayed;

  @BeforeAll
  static void start() throws Exception {
    rig = new DeliveryRig("unreachable-it");
    Organization org = OrganizationLoader.parse("serverName: EX01\n"
        + "acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]\n", "unreachable-it");
    tracking = rig.tracking;
    submissions = rig.submissions;
    categorized = rig.tail(Topics.CATEGORIZED);
    delayed = rig.tail(Topics.RETRY_1M);
    rig.start(org, dataDir.resolve("mailstore"), FastRetries.options());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  /** As routing writes it: Unreachable, notBefore = when routed. */
  private static DeliveryItem unreachable(String nmid, Instant receivedAt, int attempt) {
    DeliveryItem item = item(nmid, "alice@contoso.test", DeliveryType.Unreachable, null, receivedAt,
        external("bob@nowhere.test", null));
    item.getNextHop().setNextHopDomain("Unreachable Domain");
    return DeliveryItem.newBuilder(item).setAttempt(attempt).setNotBefore(Instant.now()).build();
  }

  private static void publish(DeliveryItem item) throws Exception {
    rig.publish("Unreachable/Unreachable Domain", item);
  }

  private static TrackingEvent awaitEvent(String nmid, String eventId) {
    return tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals(eventId), 1, WAIT)
        .get(0);
  }

  @Test
  void aJustRoutedCopyWaitsOnADelayTopicWithOneMoreAttempt() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(unreachable(nmid, Instant.now(), 2));

    TrackingEvent defer = awaitEvent(nmid, "DEFER");
    assertEquals(UnreachableQueue.SOURCE.name(), defer.getSource());
    DeliveryItem waiting = delayed.await(i -> i.getEnvelope().getNetworkMessageId().equals(nmid), 1, WAIT).get(0);
    assertEquals(3, waiting.getAttempt());
    assertEquals(DeliveryType.Unreachable, waiting.getNextHop().getDeliveryType());
    assertTrue(waiting.getNotBefore() != null, "due at the schedule's next retry");
  }

  /**
   * As the retry forwarder puts it back when due (notBefore cleared). Published directly: on the shared
   * broker, other tests' copies with minute-long waits may sit ahead on the delay topic's partitions.
   */
  @Test
  void aCopyComingBackDueGoesBackToRoutingWithItsAttempts() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(DeliveryItem.newBuilder(unreachable(nmid, Instant.now(), 3)).setNotBefore(null).build());

    CategorizedMessage back = categorized.await(m -> m.getEnvelope().getNetworkMessageId().equals(nmid), 1, WAIT)
        .get(0);
    assertEquals("iid-" + nmid, back.getInternalMessageId());
    assertEquals(3, back.getAttempt(), "routing carries the attempts on, so the schedule continues");
    assertEquals(List.of("bob@nowhere.test"), back.getRecipients().stream().map(ResolvedRecipient::getAddress).toList());
    TrackingEvent resubmit = awaitEvent(nmid, UnreachableQueue.EVENT.name());
    assertEquals("QUEUE", resubmit.getSource());
    assertEquals("Unreachable queue: handed back to routing after attempt 3", resubmit.getSourceContext());
  }

  @Test
  void anExpiredCopyFailsWithNoNextHopAndItsSenderGetsAnNdr() throws Exception {
    String nmid = UUID.randomUUID().toString();
    publish(unreachable(nmid, Instant.now().minus(Duration.ofDays(2)).minusSeconds(1), 7));

    TrackingEvent fail = awaitEvent(nmid, "FAIL");
    assertEquals(List.of("bob@nowhere.test"), fail.getRecipientAddress());
    String text = body(submissions.await(m -> body(m).contains("In-Reply-To: <" + nmid + "@contoso.test>"), 1, WAIT)
        .get(0));
    assertTrue(text.contains("Final-Recipient: rfc822; bob@nowhere.test\r\nAction: failed\r\nStatus: 5.4.4\r\n"
        + "Diagnostic-Code: smtp; 550 5.4.4 ROUTING.NoNextHop; unable to route"), text);
  }
}
