package io.mailflow.routing.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationException;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RoutingStageIT {
  private static String bootstrap;
  private static RoutingStage stage;
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  @BeforeAll
  static void start() throws OrganizationException {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 3, (short) 1, Duration.ofSeconds(30));
    Organization org = OrganizationLoader.parse("""
        serverName: EX01
        siteName: Site-A
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        sendConnectors:
          - { name: Internet, addressSpaces: ["*"], smartHosts: ["127.0.0.1:2626"] }
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test }
        """, "routing-it.yaml");
    stage = RoutingStage.start(bootstrap, org, StageLoop.Options.defaults().withMeters(METERS));
  }

  @AfterAll
  static void stop() {
    stage.close();
  }

  @Test
  void mailboxAndExternalRecipientsGoToTheirOwnDeliveryQueuesKeyedByNextHop() throws Exception {
    String id = UUID.randomUUID().toString();
    CategorizedMessage message = CategorizedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(id).setReceivedAt(Instant.now())
            .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("s1")
            .setClientIp("127.0.0.1").setClientHostname("client").setSender("carol@example.com").setSize(3).build())
        .setInternalMessageId("copy-" + id)
        .setRecipients(List.of(
            ResolvedRecipient.newBuilder().setAddress("alice@contoso.test").setOriginalAddress("alice@contoso.test")
                .setType(RecipientType.MAILBOX).setMailboxDatabase("DB01").build(),
            ResolvedRecipient.newBuilder().setAddress("dave@fabrikam.test").setOriginalAddress("dave@fabrikam.test")
                .setType(RecipientType.EXTERNAL).build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hi\n".getBytes())))
        .build();

    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test");
        TopicReader<DeliveryItem> delivery = TopicReader.fromEnd(bootstrap, Topics.DELIVERY);
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      publisher.send(Topics.CATEGORIZED, id, message).get();

      List<TopicReader.Entry<DeliveryItem>> items = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (items.size() < 2 && System.nanoTime() < deadline) {
        delivery.poll(Duration.ofMillis(100)).stream()
            .filter(e -> e.decoded() && e.value().getEnvelope().getNetworkMessageId().equals(id))
            .forEach(items::add);
      }
      items.sort(Comparator.comparing(TopicReader.Entry::key));
      List<TrackingEvent> transfers = tracking.await(e -> e.getNetworkMessageId().equals(id), 2, Duration.ofSeconds(30));

      assertEquals(2, items.size());
      assertEquals("SmartHostConnectorDelivery/127.0.0.1:2626/Internet", items.get(0).key());
      assertEquals(DeliveryType.SmartHostConnectorDelivery, items.get(0).value().getNextHop().getDeliveryType());
      assertEquals("Internet", items.get(0).value().getNextHop().getConnector());
      assertEquals("SmtpDeliveryToMailbox/DB01", items.get(1).key());
      assertEquals(List.of("alice@contoso.test"),
          items.get(1).value().getRecipients().stream().map(ResolvedRecipient::getAddress).toList());
      assertEquals(2, transfers.size());
      assertEquals("TRANSFER", transfers.get(0).getEventId());
      assertEquals(2, transfers.stream().map(TrackingEvent::getInternalMessageId).distinct().count(),
          "each forked copy has its own internal message id");
    }
  }

  @Test
  void metersCountDecisionsByTypeCacheHitsAndMissesAndUnreachable() throws Exception {
    double decisions = count("mailflow.routing.decisions");
    double hits = count("mailflow.routing.route.cache", "result", "hit");
    double lookups = count("mailflow.routing.route.cache");
    double unreachable = count("mailflow.routing.unreachable");
    double mailbox = count("mailflow.routing.decisions", "delivery_type", "SmtpDeliveryToMailbox");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test")) {
      for (int i = 0; i < 2; i++) { // the second message's three routes are all in the cache
        String id = UUID.randomUUID().toString();
        publisher.send(Topics.CATEGORIZED, id, CategorizedMessage.newBuilder()
            .setEnvelope(Envelope.newBuilder().setNetworkMessageId(id).setReceivedAt(Instant.now())
                .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("s1")
                .setClientIp("127.0.0.1").setClientHostname("client").setSender("carol@example.com").setSize(3)
                .build())
            .setInternalMessageId("copy-" + id)
            .setRecipients(List.of(
                ResolvedRecipient.newBuilder().setAddress("alice@contoso.test").setOriginalAddress("alice@contoso.test")
                    .setType(RecipientType.MAILBOX).setMailboxDatabase("DB01").build(),
                ResolvedRecipient.newBuilder().setAddress("dave@fabrikam.test").setOriginalAddress("dave@fabrikam.test")
                    .setType(RecipientType.EXTERNAL).build(),
                ResolvedRecipient.newBuilder().setAddress("zed@contoso.test").setOriginalAddress("zed@contoso.test")
                    .setType(RecipientType.MAILBOX).setMailboxDatabase("NoSuchDatabase").build()))
            .setBody(new InlineBody(ByteBuffer.wrap("hi\n".getBytes())))
            .build()).get();
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> count("mailflow.routing.decisions") - decisions >= 6);
    assertEquals(6, count("mailflow.routing.decisions") - decisions);
    assertEquals(6, count("mailflow.routing.route.cache") - lookups, "one route-cache lookup per decision");
    assertTrue(count("mailflow.routing.route.cache", "result", "hit") - hits >= 3, "the second message hits");
    assertEquals(2, count("mailflow.routing.decisions", "delivery_type", "SmtpDeliveryToMailbox") - mailbox);
    assertEquals(2, count("mailflow.routing.unreachable") - unreachable, "the unknown database, twice");
  }

  private static double count(String name, String... tags) {
    return METERS.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
