package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `mailflow queue suspend | resume | retry | list` against a real broker: records written, table read back. */
class QueueCommandIT {

  private static String bootstrap;

  @BeforeAll
  static void topics() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
  }

  private static ControlRecord setting(String key) {
    try (ControlView view = ControlView.start(bootstrap, "queue-command-it", Duration.ofSeconds(15))) {
      return view.get(ControlKind.QUEUE, key).orElse(null);
    }
  }

  @Test
  void suspendResumeAndRetryWriteControlRecordsAndRetryIsRefusedWhileSuspended() {
    String key = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    CliRun suspended = mailflow("queue", "suspend", "--next-hop", key, "--reason", "peer maintenance",
        "--bootstrap", bootstrap);
    assertEquals(0, suspended.exit(), suspended.err());
    assertTrue(suspended.out().startsWith("queue " + key + " suspended by "), suspended.out());
    ControlRecord r = setting(key);
    assertEquals("Suspended", r.getState());
    assertEquals("peer maintenance", r.getReason());
    assertEquals(KafkaOption.who(), r.getSetBy());

    CliRun refused = mailflow("queue", "retry", "--next-hop", key, "--bootstrap", bootstrap);
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("is suspended (by " + KafkaOption.who() + "); resume it first"), refused.err());

    assertEquals(0, mailflow("queue", "resume", "--next-hop", key, "--bootstrap", bootstrap).exit());
    assertEquals("Active", setting(key).getState());
    CliRun retried = mailflow("queue", "retry", "--next-hop", key, "--bootstrap", bootstrap);
    assertEquals(0, retried.exit(), retried.err());
    assertEquals("Retry", setting(key).getState());

    // each action is also a tracking event (source ADMIN) that `events tail --topic tracking` shows; the refused
    // retry wrote none
    CliRun tail = mailflow("events", "tail", "--topic", "tracking", "--from-beginning", "--idle-exit", "3",
        "--bootstrap", bootstrap);
    assertEquals(0, tail.exit(), tail.err());
    List<String> audit = tail.out().lines().filter(l -> l.contains("\"ADMIN\"") && l.contains(key)).toList();
    assertEquals(3, audit.size(), "got " + audit + ", want suspend, resume, retry");
    assertTrue(audit.get(0).contains("\"Suspend-Queue -Identity " + key + "; setBy=" + KafkaOption.who()
        + "; via=cli; state=Suspended\""), audit.get(0));
    assertTrue(audit.get(0).contains("\"QUEUEACTION\"") && audit.get(0).contains("\"peer maintenance\""),
        audit.get(0));
    assertTrue(audit.get(2).contains("Retry-Queue -Identity " + key), audit.get(2));
  }

  @Test
  void listShowsEachQueuesLatestReportedStateItsAdminSettingAndTheQueuedCount() throws Exception {
    String key = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    String suspendedOnly = "SmtpDeliveryToMailbox:" + UUID.randomUUID();
    Instant retryAt = Instant.parse("2030-01-01T10:00:00Z");
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "queue-command-it")) {
      publisher.send(Topics.TRACKING, key, state(key, "Active", 2, null, null)).get(10, TimeUnit.SECONDS);
      publisher.send(Topics.TRACKING, key, state(key, "Retry", 3, "421 4.3.2 Service not available", retryAt))
          .get(10, TimeUnit.SECONDS);
    }
    assertEquals(0, mailflow("queue", "suspend", "--next-hop", suspendedOnly, "--bootstrap", bootstrap).exit());

    CliRun list = mailflow("queue", "list", "--bootstrap", bootstrap);
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().startsWith("Identity"), list.out());
    String line = list.out().lines().filter(l -> l.contains(key)).findFirst().orElseThrow();
    assertTrue(line.startsWith("MBX1\\" + key), line);
    // the count is the copies queued (none here), not the 3 the event reported
    assertTrue(line.matches(".*SmartHostConnectorDelivery\\s+Retry\\s+0\\s+peer\\.test\\s+.*"), line);
    assertTrue(line.contains("2030-01-01T10:00:00Z"), line);
    assertTrue(line.endsWith("421 4.3.2 Service not available"), line);
    assertEquals(1, list.out().lines().filter(l -> l.contains(key)).count(), "the latest state only");
    String admin = list.out().lines().filter(l -> l.contains(suspendedOnly)).findFirst().orElseThrow();
    assertTrue(admin.startsWith("*\\" + suspendedOnly), admin);
    assertTrue(admin.contains("Suspended") && admin.contains("[admin: Suspended by " + KafkaOption.who()), admin);
  }

  private static TrackingEvent state(String key, String status, int count, String lastError, Instant nextRetry) {
    return TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("MBX1").setSource("QUEUE")
        .setEventId("QUEUESTATE").setNetworkMessageId("")
        .setQueue(QueueState.newBuilder().setIdentity(key).setDeliveryType("SmartHostConnectorDelivery")
            .setNextHopDomain("peer.test").setStatus(status).setMessageCount(count).setLastError(lastError)
            .setNextRetryTime(nextRetry).build())
        .build();
  }
}
