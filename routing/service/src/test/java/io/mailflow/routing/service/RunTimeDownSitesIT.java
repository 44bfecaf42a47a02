package io.mailflow.routing.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.routing.graph.RoutingDestination;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sites taken down at run time (SITE records on mail.control.v1): mail queues at the point of failure
 * at once, and goes direct again after the site is brought up. Server EX-B in site B; A is a hub between
 * B and C; E is reached from B through D.
 */
class RunTimeDownSitesIT {
  private static String bootstrap;
  private static RoutingStage stage;
  private static TopicPublisher publisher;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 3, (short) 1, Duration.ofSeconds(30));
    Organization org = OrganizationLoader.parse("""
        serverName: EX-B
        siteName: B
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        sites: [{name: A, hubSite: true}, {name: B}, {name: C}, {name: D}, {name: E}]
        siteLinks:
          - {name: A-B, sites: [A, B], cost: 10}
          - {name: A-C, sites: [A, C], cost: 10}
          - {name: B-D, sites: [B, D], cost: 10}
          - {name: D-E, sites: [D, E], cost: 10}
        servers: [{name: EX-A, site: A}, {name: EX-B, site: B}, {name: EX-C, site: C}, {name: EX-D, site: D},
                  {name: EX-E, site: E}]
        databases: [{name: DB-B, activeServer: EX-B}, {name: DB-C, activeServer: EX-C},
                    {name: DB-E, activeServer: EX-E}]
        mailboxes:
          - { name: Alice, primarySmtpAddress: alice@contoso.test, database: DB-B }
        """, "run-time-down-it.yaml");
    publisher = TopicPublisher.create(bootstrap, "run-time-down-it");
    stage = RoutingStage.start(bootstrap, org, StageLoop.Options.defaults());
  }

  @AfterEach
  void bringEverySiteUp() throws Exception {
    for (String site : List.of("A", "C", "E")) {
      control(site, ControlView.CLEARED);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> stage.router().siteGraph().downSites().isEmpty());
  }

  @AfterAll
  static void stop() {
    stage.close();
    publisher.close();
  }

  private static void control(String site, String state) throws Exception {
    publisher.send(Topics.CONTROL, ControlView.key(ControlKind.SITE, site), ControlRecord.newBuilder()
        .setKind(ControlKind.SITE).setTarget(site).setState(state).setReason("test").setSetBy("it@localhost")
        .setSetAt(Instant.now()).build()).get();
  }

  private static void down(String site) throws Exception {
    String before = stage.router().topologyVersion();
    control(site, RoutingStage.SITE_DOWN);
    await().atMost(Duration.ofSeconds(30)).until(() -> stage.router().siteGraph().downSites().contains(site));
    assertNotEquals(before, stage.router().topologyVersion(), "the down set is part of the topology version");
  }

  /** Routes one copy for {@code database} and returns the delivery item written for it. */
  private static TopicReader.Entry<DeliveryItem> route(String database, int attempt) throws Exception {
    String id = UUID.randomUUID().toString();
    CategorizedMessage message = CategorizedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(id).setReceivedAt(Instant.now())
            .setReceivingServer("EX-B").setReceiveConnector("Default Frontend EX-B").setSessionId("s1")
            .setClientIp("127.0.0.1").setClientHostname("client").setSender("carol@example.com").setSize(3).build())
        .setInternalMessageId("copy-" + id)
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("someone@contoso.test")
            .setOriginalAddress("someone@contoso.test").setType(RecipientType.MAILBOX).setMailboxDatabase(database)
            .build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hi\n".getBytes())))
        .setAttempt(attempt)
        .build();
    try (TopicReader<DeliveryItem> delivery = TopicReader.fromEnd(bootstrap, Topics.DELIVERY)) {
      publisher.send(Topics.CATEGORIZED, id, message).get();
      List<TopicReader.Entry<DeliveryItem>> items = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (items.isEmpty() && System.nanoTime() < deadline) {
        delivery.poll(Duration.ofMillis(100)).stream()
            .filter(e -> e.decoded() && e.value().getEnvelope().getNetworkMessageId().equals(id))
            .forEach(items::add);
      }
      assertEquals(1, items.size(), "one delivery item for " + id);
      return items.get(0);
    }
  }

  @Test
  void mailToASiteDownAtRunTimeQueuesAtTheClosestReachableSiteAndGoesDirectOnceItIsUp() throws Exception {
    assertEquals("SmtpRelayToRemoteAdSite/E", route("DB-E", 0).key());

    down("E");
    assertEquals("SmtpRelayToRemoteAdSite/D", route("DB-E", 0).key(), "queues in D, before the failure");

    control("E", ControlView.CLEARED); // `mailflow site up`
    await().atMost(Duration.ofSeconds(30)).until(() -> stage.router().siteGraph().downSites().isEmpty());
    assertEquals("SmtpRelayToRemoteAdSite/E", route("DB-E", 0).key());
  }

  @Test
  void behindAHubSiteTheMessageQueuesAtTheHub() throws Exception {
    down("C");
    assertEquals("SmtpRelayToRemoteAdSite/A", route("DB-C", 0).key());
    assertTrue(stage.router().route(RoutingDestination.database("DB-C"), 3).explanation()
        .contains("site C is down: the message queues in A (point of failure)"));
  }

  @Test
  void aControlRecordForASiteTheConfigLacksIsIgnored() throws Exception {
    control("Atlantis", RoutingStage.SITE_DOWN);
    down("C"); // read after Atlantis: the stage is still routing
    assertEquals(Set.of("C"), stage.router().siteGraph().downSites());
    control("Atlantis", ControlView.CLEARED);
  }

  @Test
  void aHandedBackCopyKeepsItsAttemptsAndAStillUnreachableOneIsMarkedJustRouted() throws Exception {
    TopicReader.Entry<DeliveryItem> unreachable = route("DB-NONE", 3);
    assertEquals(DeliveryType.Unreachable, unreachable.value().getNextHop().getDeliveryType());
    assertEquals(3, unreachable.value().getAttempt(), "the retry schedule goes on");
    assertNotNull(unreachable.value().getNotBefore(), "delivery waits before handing it back again");

    TopicReader.Entry<DeliveryItem> routed = route("DB-B", 3);
    assertEquals("SmtpDeliveryToMailbox/DB-B", routed.key());
    assertEquals(3, routed.value().getAttempt());
    assertNull(routed.value().getNotBefore());
  }
}
