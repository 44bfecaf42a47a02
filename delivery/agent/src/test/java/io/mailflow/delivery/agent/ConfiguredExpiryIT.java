package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.SmartHost;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  private static Vertx vertx;
  private static ScriptedSmtpServer smartHost;
  private static DeliveryStage stage;
  private static TopicPublisher publisher;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = Vertx.vertx();
    smartHost = ScriptedSmtpServer.start(vertx, new ScriptedSmtpServer.Script()
        .rcpt("busy@fabrikam.test", "451 4.7.1 Try again later"));
    Organization org = new Organization("EX01", "Default-Site", KafkaTopics.defaults(),
        List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)), List.of(),
        List.of(new SendConnector("Outbound", List.of(new SendConnector.AddressSpace("fabrikam.test", 1)),
            List.of(new SmartHost("127.0.0.1", smartHost.port())), smartHost.port(),
            SendConnector.DEFAULT_MAX_MESSAGE_SIZE, List.of(), "")),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
    tracking = new TopicTail<>(bootstrap, Topics.TRACKING);
    submissions = new TopicTail<>(bootstrap, Topics.SUBMISSION);
    publisher = TopicPublisher.create(bootstrap, "configured-expiry-it");
    Duration shrunk = Duration.ofMillis(300);
    TransportService service = TransportService.defaults().withRetry(6, shrunk, shrunk, shrunk, EXPIRATION);
    stage = DeliveryStage.start(vertx, bootstrap, org, dataDir.resolve("mailstore"),
        FastRetries.options().withTransportService(service));
  }

  @AfterAll
  static void stop() throws Exception {
    if (stage != null) {
      stage.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    if (tracking != null) {
      tracking.close();
      submissions.close();
    }
    if (smartHost != null) {
      smartHost.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRefusedCopyFailsWith447AfterTheConfiguredExpirationNotTwoDays() throws Exception {
    String nmid = UUID.randomUUID().toString();
    Instant received = Instant.now();
    publisher.send(Topics.DELIVERY, "SmartHostConnectorDelivery:fabrikam.test", item(nmid, "alice@contoso.test",
        DeliveryType.SmartHostConnectorDelivery, "Outbound", received, external("busy@fabrikam.test", null)))
        .get(30, TimeUnit.SECONDS);

    TrackingEvent fail = tracking.await(e -> e.getNetworkMessageId().equals(nmid)
        && e.getEventId().equals("FAIL"), 1, WAIT).get(0);
    Instant failedAt = Instant.now();
    assertEquals(List.of("busy@fabrikam.test"), fail.getRecipientAddress());
    assertTrue(fail.getRecipientStatus().get(0).startsWith("550 4.4.7 QUEUE.Expired; message expired after PT3S; "
        + "last error: 451 4.7.1 Try again later"), fail.getRecipientStatus().toString());
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
