package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.body;
import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.ResolvedRecipient;
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
 * DNS MX routing through the whole stage on the embedded broker, against {@link Dnsmasq} (skipped without
 * it): a copy whose preferred MX is down is sent to the next one (SEND), and a copy for a domain that
 * does not exist fails with 550 5.4.4 and a DSN to its sender.
 */
class DnsRoutingStageIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  private static Dnsmasq dnsmasq;
  private static Vertx vertx;
  private static ScriptedSmtpServer smartHost;
  private static DeliveryStage stage;
  private static TopicPublisher publisher;
  private static TopicTail<TrackingEvent> tracking;
  private static TopicTail<SubmittedMessage> submissions;

  @BeforeAll
  static void start() throws Exception {
    dnsmasq = Dnsmasq.startOrSkip(
        "--mx-host=fabrikam.test,mx1.fabrikam.test,10", "--mx-host=fabrikam.test,mx2.fabrikam.test,20",
        "--host-record=mx1.fabrikam.test,127.0.0.2", "--host-record=mx2.fabrikam.test,127.0.0.1");
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = Vertx.vertx();
    smartHost = ScriptedSmtpServer.start(vertx, new ScriptedSmtpServer.Script());
    Organization org = new Organization("EX01", "Default-Site", KafkaTopics.defaults(),
        List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)), List.of(),
        List.of(new SendConnector("MxOut", List.of(new SendConnector.AddressSpace("*", 1)), List.of(),
            smartHost.port(), SendConnector.DEFAULT_MAX_MESSAGE_SIZE, List.of(), "", dnsmasq.server())),
        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
    tracking = new TopicTail<>(bootstrap, Topics.TRACKING);
    submissions = new TopicTail<>(bootstrap, Topics.SUBMISSION);
    publisher = TopicPublisher.create(bootstrap, "dns-routing-it");
    stage = DeliveryStage.start(vertx, bootstrap, org, dataDir.resolve("mailstore"), FastRetries.options());
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
    if (dnsmasq != null) {
      dnsmasq.close();
    }
  }

  private static void publish(DeliveryItem item) throws Exception {
    NextHop hop = item.getNextHop();
    publisher.send(Topics.DELIVERY, hop.getDeliveryType() + ":" + hop.getNextHopDomain(), item)
        .get(30, TimeUnit.SECONDS);
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
