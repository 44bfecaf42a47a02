package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** messageTrackingLogEnabled: false on the real pipeline: mail flows, no MSGTRK file, no message event on the topic. */
class MessageTrackingOffIT {
  @TempDir static Path work;
  private static Path dataDir;
  private static int smtpPort;
  private static RunCommand.Running running;

  @BeforeAll
  static void start() throws Exception {
    dataDir = work.resolve("data");
    smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse("""
        serverName: EX01
        kafka: { partitions: 3, replicationFactor: 1 }
        acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
        receiveConnectors:
          - { name: Default Frontend EX01, bindings: ["127.0.0.1:%d"], permissionGroups: [AnonymousUsers] }
        transportService: { messageTrackingLogEnabled: false }
        mailboxes:
          - { name: Bob, primarySmtpAddress: bob@contoso.test }
        """.formatted(smtpPort), "it.yaml");
    running = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(new StringWriter()));
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void mailIsDeliveredWithoutAnyMessageTrackingEventOrFile() throws Exception {
    String subject = "untracked " + UUID.randomUUID();
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(running.kafka.bootstrapServers(), Topics.TRACKING)) {
      MailflowRunIT.send(smtpPort, subject, "bob@contoso.test");
      assertEquals(1, MailflowRunIT.awaitMessages(dataDir, "bob@contoso.test", subject, 1).size(), "delivered");

      // the events of a delivered message would be on the topic by now or within seconds: none may come
      List<TrackingEvent> messageEvents = tracking.await(e -> !Tracking.isQueueEvent(e), 1, Duration.ofSeconds(5));
      assertEquals(List.of(), messageEvents);
    }
    assertFalse(Files.exists(dataDir.resolve("logs").resolve("MessageTracking")), "no MSGTRK file is written");
  }
}
