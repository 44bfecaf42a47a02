package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.DeliveryStage;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.routing.service.RoutingStage;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing and delivery together: a copy for a database routing's config does not know waits in the
 * Unreachable queue and is handed back on every retry; once routing restarts with a config that has the
 * database, the next hand-back is delivered to the mailbox.
 */
class UnreachableRerouteIT {
  private static final String BEFORE = """
      serverName: EX01
      acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
      mailboxes:
        - { name: Alice, primarySmtpAddress: alice@contoso.test }
      """;
  private static final String AFTER = BEFORE + "databases: [{name: DB01}, {name: DB09}]\n";

  @TempDir Path dir;

  @Test
  void aConfigChangeThatAddsTheRouteDeliversWhatWaitsInTheUnreachableQueue() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    Organization before = OrganizationLoader.parse(BEFORE, "before.yaml");
    Organization after = OrganizationLoader.parse(AFTER, "after.yaml");
    Duration shrunk = Duration.ofMillis(300);
    DeliveryStage.Options options = DeliveryStage.Options.defaults()
        .withRetrySchedule(new RetrySchedule(4, shrunk, 6, shrunk, shrunk, shrunk, Duration.ofHours(4),
            Duration.ofDays(2)))
        .withLoop(StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(100)));
    Vertx vertx = Vertx.vertx();
    String nmid = UUID.randomUUID().toString();
    Path store = dir.resolve("mailstore");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "unreachable-reroute-it");
        TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING);
        DeliveryStage delivery = DeliveryStage.start(vertx, bootstrap, after, store, options)) {
      RoutingStage routing = RoutingStage.start(bootstrap, before, StageLoop.Options.defaults());
      try {
        publisher.send(Topics.CATEGORIZED, nmid, copy(nmid)).get(30, TimeUnit.SECONDS);
        // handed back at least twice: it keeps coming round while routing has no route
        assertEquals(2, tracking.await(e -> e.getNetworkMessageId().equals(nmid)
            && e.getEventId().equals("RESUBMIT"), 2, Duration.ofSeconds(60)).size());
      } finally {
        routing.close();
      }
      routing = RoutingStage.start(bootstrap, after, StageLoop.Options.defaults());
      try {
        List<TrackingEvent> delivered = tracking.await(
            e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals("DELIVER"), 1, Duration.ofSeconds(60));
        assertEquals(1, delivered.size(), "delivered after the config change");
        assertEquals(List.of("bob@contoso.test"), delivered.get(0).getRecipientAddress());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> maildirFiles(store).size() == 1);
        assertTrue(Files.readString(maildirFiles(store).get(0)).contains("Subject: waiting"));
      } finally {
        routing.close();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static List<Path> maildirFiles(Path store) throws Exception {
    Path inbox = store.resolve("DB09").resolve("bob@contoso.test").resolve("Maildir").resolve("new");
    if (!Files.isDirectory(inbox)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(inbox)) {
      return files.toList();
    }
  }

  private static CategorizedMessage copy(String nmid) {
    byte[] message = ("From: alice@contoso.test\r\nTo: bob@contoso.test\r\nSubject: waiting\r\n\r\nBody.\r\n")
        .getBytes(StandardCharsets.UTF_8);
    return CategorizedMessage.newBuilder()
        .setEnvelope(Envelope.newBuilder().setNetworkMessageId(nmid).setReceivedAt(Instant.now())
            .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("s1")
            .setClientIp("127.0.0.1").setClientHostname("client").setSender("alice@contoso.test")
            .setSize(message.length).build())
        .setInternalMessageId("copy-" + nmid)
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("bob@contoso.test")
            .setOriginalAddress("bob@contoso.test").setType(RecipientType.MAILBOX).setMailboxDatabase("DB09").build()))
        .setBody(new InlineBody(ByteBuffer.wrap(message)))
        .build();
  }
}
