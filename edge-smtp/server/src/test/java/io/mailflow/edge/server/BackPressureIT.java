package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.BackPressureSettings;
import io.mailflow.organization.Organization;
import io.mailflow.organization.PressureTransitions;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back pressure end to end: the data directory on a small filesystem of its own, holding the broker's logs as the
 * all-in-one node's does. Filled to Medium, anonymous mail is refused and authenticated mail flows; filled to
 * High, all mail is refused 452 4.3.1 (never 250 for mail that may not be kept) while the broker still works;
 * freed, mail flows again. Every message answered 250 is on mail.submission.v1: nothing is lost.
 */
class BackPressureIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String REFUSED = "452 4.3.1 Insufficient system resources";
  private static final String CONNECTOR = "Pressure";
  /** The categorizer's consumer group (CategorizerStage.GROUP_ID; the edge does not depend on the categorizer). */
  private static final String CATEGORIZER = "mailflow-categorizer";
  /** Low below 40%, Medium from 50%, High from 80% (down to Medium below 70%): far from Exchange's 99%, on 64 MB. */
  private static final PressureTransitions DISK = new PressureTransitions(50, 80, 70, 40);

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();

  private static Organization organization() {
    ReceiveConnector connector = TestOrganization.limited(CONNECTOR, new Binding("127.0.0.1", 0),
        ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, java.util.Set.of(PermissionGroup.AnonymousUsers,
            PermissionGroup.ExchangeUsers), java.util.Set.of(AuthMechanism.BasicAuth), null,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE,
        ReceiveConnector.DEFAULT_MAX_HEADER_SIZE, ReceiveConnector.UNLIMITED, MessageRateSource.IPAddress, List.of());
    return TestOrganization.withPasswords(List.of(connector));
  }

  @Test
  void aFullDataDriveGets452AndMailFlowsAgainWhenSpaceReturns() throws Exception {
    try (Tmpfs data = Tmpfs.mount("64m")) {
      EmbeddedKafka kafka = EmbeddedKafka.start(data.dir().resolve("kafka"), 0);
      try {
        String bootstrap = kafka.bootstrapServers();
        TopicProvisioner.ensureTopics(bootstrap, 1, (short) 1, WAIT);
        BackPressureSettings settings = new BackPressureSettings(true, Duration.ofSeconds(1), DISK, null, null);
        RecordingEvents events = new RecordingEvents();
        try (KafkaEdgeWiring wiring = KafkaEdgeWiring.create(bootstrap, "back-pressure-it");
            BackPressure pressure = BackPressure.start(List.of(BackPressure.databaseUsedSpace(data.dir(), settings)),
                Duration.ofMillis(100), new SimpleMeterRegistry(), List.of())) {
          SmtpEdge edge = rig.start(organization(), wiring.submissions(), events,
              EdgeOptions.defaults().withBackPressure(pressure));
          try {
            List<String> accepted = new ArrayList<>();
            assertEquals(PressureLevel.Low, pressure.status().level(), pressure.status().describe());
            accepted.add(assertAccepted(edge, null));

            Path medium = data.fill("medium", data.bytesToReach(60));
            await(pressure, PressureLevel.Medium);
            assertRefused(edge, null);
            accepted.add(assertAccepted(edge, "alice@contoso.test"));

            Path high = data.fill("high", data.bytesToReach(85));
            await(pressure, PressureLevel.High);
            assertTrue(pressure.status().why().startsWith("DatabaseUsedSpace[" + data.dir() + "] = 8"),
                pressure.status().why());
            assertRefused(edge, null);
            assertRefused(edge, "alice@contoso.test");
            // the protocol log says why: one line per refusal, naming the resource and its level
            List<ProtocolEvent> logged = events.protocol.stream()
                .filter(e -> e.getContext() != null && e.getContext().startsWith("Rejected by back pressure")).toList();
            assertEquals(List.of("Rejected by back pressure (Medium)", "Rejected by back pressure (High)",
                "Rejected by back pressure (High)"), logged.stream().map(ProtocolEvent::getContext).toList());
            assertTrue(logged.get(2).getData().startsWith("DatabaseUsedSpace[" + data.dir() + "] = "),
                logged.get(2).getData());
            assertTrue(logged.get(2).getData().contains("% [High] [LowToMedium=50% MediumToHigh=80%"),
                logged.get(2).getData());

            // down to 75%: still High (HighToMedium is 70%), no flapping
            Files.delete(high);
            data.fill("high", data.bytesToReach(75));
            Thread.sleep(300); // three metering rounds: a level that would move has moved
            assertEquals(PressureLevel.High, pressure.status().level(), pressure.status().describe());

            Files.delete(dir(data, "high"));
            Files.delete(medium);
            await(pressure, PressureLevel.Low);
            accepted.add(assertAccepted(edge, null));

            // nothing lost: every message answered 250 is on the submission topic, and nothing else is
            try (TopicReader<SubmittedMessage> reader = TopicReader.fromBeginning(bootstrap, Topics.SUBMISSION)) {
              List<SubmittedMessage> queued = reader.await(m -> true, accepted.size(), WAIT);
              assertEquals(accepted, queued.stream().map(m -> m.getEnvelope().getSubject()).toList());
            }
          } finally {
            rig.close(edge);
          }
        }
      } finally {
        kafka.close();
      }
    }
  }

  @Test
  void aSubmissionBacklogTheCategorizerDoesNotReadRefusesMailUntilItIsRead(@TempDir Path dir) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    try {
      String bootstrap = kafka.bootstrapServers();
      TopicProvisioner.ensureTopics(bootstrap, 1, (short) 1, WAIT);
      // no categorizer runs: what the edge queues stays unread. The edge writes each message in a transaction of
      // its own here (one session after another), so each adds two offsets, the message and its commit marker:
      // Medium at 2 messages (4 offsets), High at 3 (6), Low below 1
      SubmissionBacklog backlog = new SubmissionBacklog(bootstrap, "back-pressure-it-backlog", CATEGORIZER,
          Topics.SUBMISSION.name(), Duration.ofSeconds(2));
      try (KafkaEdgeWiring wiring = KafkaEdgeWiring.create(bootstrap, "back-pressure-it");
          BackPressure pressure = BackPressure.start(List.of(new BackPressure.Source("QueueLength[SubmissionQueue]",
              "QueueLength[SubmissionQueue]", "", new PressureTransitions(4, 6, 6, 1), backlog)),
              Duration.ofMillis(100), new SimpleMeterRegistry(), List.of(backlog))) {
        SmtpEdge edge = rig.start(organization(), wiring.submissions(), new RecordingEvents(),
            EdgeOptions.defaults().withBackPressure(pressure));
        try {
          assertAccepted(edge, null);
          assertAccepted(edge, null);
          await(pressure, PressureLevel.Medium);
          assertRefused(edge, null);
          assertAccepted(edge, "alice@contoso.test");
          await(pressure, PressureLevel.High);
          assertRefused(edge, "alice@contoso.test");

          // the categorizer catches up: its group's offsets at the end of the topic
          try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicPartition partition = new TopicPartition(Topics.SUBMISSION.name(), 0);
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(30, TimeUnit.SECONDS).offset();
            admin.alterConsumerGroupOffsets(CATEGORIZER, Map.of(partition, new OffsetAndMetadata(end)))
                .all().get(30, TimeUnit.SECONDS);
          }
          await(pressure, PressureLevel.Low);
          assertAccepted(edge, null);

          // Kafka gone: the backlog cannot be read; the level stays where it was and the status says why
          rig.close(edge);
          edge = null;
          kafka.close();
          Awaitility.await().atMost(WAIT).until(() -> pressure.status().describe().contains("(not read: "));
          assertEquals(PressureLevel.Low, pressure.status().level(), pressure.status().describe());
        } finally {
          if (edge != null) {
            rig.close(edge);
          }
        }
      }
    } finally {
      kafka.close();
    }
  }

  private static Path dir(Tmpfs data, String name) {
    return data.dir().resolve(name);
  }

  private static void await(BackPressure pressure, PressureLevel level) {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> pressure.status().level() == level);
  }

  /** Opens a session (authenticated as {@code user} when given) and sends one message; returns its subject. */
  private static String assertAccepted(SmtpEdge edge, String user) throws IOException {
    String subject = "Back pressure " + UUID.randomUUID();
    try (SmtpTestClient client = session(edge, user)) {
      String sender = user != null ? user : "sender@fabrikam.example";
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<" + sender + ">"));
      assertTrue(client.command("RCPT TO:<bob@contoso.test>").startsWith("250"));
      assertTrue(client.command("DATA").startsWith("354"));
      String reply = client.command("Subject: " + subject + "\r\n\r\nHello.\r\n.");
      assertTrue(reply.startsWith("250 2.6.0"), reply);
      client.command("QUIT");
    }
    return subject;
  }

  /** Opens a session and expects MAIL FROM refused with Exchange's back pressure reply. */
  private static void assertRefused(SmtpEdge edge, String user) throws IOException {
    try (SmtpTestClient client = session(edge, user)) {
      String sender = user != null ? user : "sender@fabrikam.example";
      assertEquals(REFUSED, client.command("MAIL FROM:<" + sender + ">"));
      assertTrue(client.command("RCPT TO:<bob@contoso.test>").startsWith("503"), "no transaction after the 452");
      client.command("QUIT");
    }
  }

  private static SmtpTestClient session(SmtpEdge edge, String user) throws IOException {
    SmtpTestClient client = new SmtpTestClient(edge.listening(CONNECTOR).get(0));
    client.reply();
    client.command("EHLO client.fabrikam.example");
    if (user != null) {
      String password = user.startsWith("alice") ? TestOrganization.ALICE_PASSWORD : TestOrganization.BOB_PASSWORD;
      String reply = client.command("AUTH PLAIN " + TlsAndAuthIT.plain(user, password));
      assertTrue(reply.startsWith("235"), reply);
    }
    return client;
  }
}
