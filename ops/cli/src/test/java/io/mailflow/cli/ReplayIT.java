package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mailflow replay` against `mailflow run`'s pipeline: a delivered message replayed from the delivery
 * queue reaches the mailbox store again and is absorbed there (the mailbox holds it once), with a
 * RESUBMIT event; --dry-run writes nothing. Each test uses its own mailbox, as they share one broker.
 */
class ReplayIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir static Path work;
  private static Path dataDir;
  private static int smtpPort;
  private static RunCommand.Running running;
  private static String bootstrap;

  @BeforeAll
  static void start() throws Exception {
    dataDir = work.resolve("data");
    smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(smtpPort, TestPorts.free()), "it.yaml");
    running = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(new StringWriter()));
    bootstrap = running.kafka.bootstrapServers();
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  /** Every record of {@code topic} written since {@code since} that matches, read to the current end. */
  private static <V extends SpecificRecord> List<V> written(Topic<V> topic, Instant since, Predicate<V> match) {
    List<V> found = new ArrayList<>();
    try (TopicReader<V> reader = TopicReader.between(bootstrap, topic, since, Instant.now(), Duration.ofSeconds(15))) {
      for (int polls = 0; polls < 600 && !reader.finished(); polls++) {
        for (TopicReader.Entry<V> e : reader.poll(Duration.ofMillis(100))) {
          if (e.decoded() && match.test(e.value())) {
            found.add(e.value());
          }
        }
      }
    }
    return found;
  }

  /** Sends a message to {@code address}, waits until it is in the mailbox; its network message id. */
  private static String deliverOne(String address, String subject) throws Exception {
    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      MailflowRunIT.send(smtpPort, subject, address);
      assertEquals(1, MailflowRunIT.awaitMessages(dataDir, address, subject, 1).size(), "delivered once");
      return tracking.await(e -> subject.equals(e.getMessageSubject()) && "DELIVER".equals(e.getEventId()), 1, WAIT)
          .get(0).getNetworkMessageId();
    }
  }

  @Test
  void aReplayedMessageIsAbsorbedByTheMailboxStoreAndTrackedAsResubmit() throws Exception {
    Instant before = Instant.now().minusSeconds(2);
    String subject = "replay " + UUID.randomUUID();
    String nmid = deliverOne("alice@contoso.test", subject);

    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      CliRun replay = mailflow("replay", "--from", before.toString(), "--to", "now",
          "--recipient", "alice@contoso.test", "--bootstrap", bootstrap);

      assertEquals(0, replay.exit(), replay.err());
      List<String> lines = replay.out().lines().toList();
      assertEquals(2, lines.size(), replay.out());
      assertTrue(lines.get(0).matches("\\S+ mail\\.delivery\\.v1-\\d+@\\d+ SmtpDeliveryToMailbox/\\S+ " + nmid
          + " alice@contoso\\.test resubmitted"), lines.get(0));
      assertEquals("1 matched, 1 resubmitted", lines.get(1));

      // one read for both: delivery may log the copy's DELIVER before the command logs its RESUBMIT
      List<TrackingEvent> events = tracking.await(e -> nmid.equals(e.getNetworkMessageId())
          && ("RESUBMIT".equals(e.getEventId()) || "DELIVER".equals(e.getEventId())), 2, WAIT);
      TrackingEvent resubmit = events.stream().filter(e -> "RESUBMIT".equals(e.getEventId())).findFirst()
          .orElseThrow(() -> new AssertionError("no RESUBMIT event in " + events));
      assertEquals("SAFETYNET", resubmit.getSource());
      assertEquals(List.of("alice@contoso.test"), resubmit.getRecipientAddress());
      assertTrue(resubmit.getSourceContext().startsWith("mailflow replay --from "), resubmit.getSourceContext());
      // delivery took the replayed copy and the store absorbed it
      TrackingEvent absorbed = events.stream().filter(e -> "DELIVER".equals(e.getEventId())).findFirst()
          .orElseThrow(() -> new AssertionError("no DELIVER event for the replayed copy in " + events));
      assertTrue(absorbed.getRecipientStatus().toString().contains("Duplicate"), absorbed.getRecipientStatus().toString());
    }
    assertEquals(1, MailflowRunIT.messages(dataDir, "alice@contoso.test", subject).size(), "still once in the mailbox");
    List<DeliveryItem> copies = written(Topics.DELIVERY, before, i -> nmid.equals(i.getEnvelope().getNetworkMessageId()));
    assertEquals(2, copies.size(), "the routed copy and its replay");
    assertTrue(copies.get(1).getReplayOf().matches("mail\\.delivery\\.v1-\\d+@\\d+"), copies.get(1).getReplayOf());

    CliRun again = mailflow("replay", "--from", before.toString(), "--recipient", "alice@contoso.test",
        "--bootstrap", bootstrap, "--dry-run");
    assertTrue(again.out().endsWith("1 matched, 0 resubmitted (dry run)" + System.lineSeparator()),
        "the earlier replay's copy is not replayed again: " + again.out());
  }

  @Test
  void aDryRunPrintsWhatItWouldResubmitAndWritesNothing() throws Exception {
    Instant before = Instant.now().minusSeconds(2);
    String subject = "dry run " + UUID.randomUUID();
    String nmid = deliverOne("bob@contoso.test", subject);

    CliRun dry = mailflow("replay", "--from", before.toString(), "--to", Instant.now().toString(),
        "--domain", "contoso.test", "--dry-run", "--bootstrap", bootstrap);

    assertEquals(0, dry.exit(), dry.err());
    assertTrue(dry.out().contains(" " + nmid + " bob@contoso.test would resubmit"), dry.out());
    assertTrue(dry.out().contains(" matched, 0 resubmitted (dry run)"), dry.out());
    // The command returns after its writes are acknowledged, so reading to the end now sees any it made.
    assertEquals(1, written(Topics.DELIVERY, before, i -> nmid.equals(i.getEnvelope().getNetworkMessageId())).size());
    assertEquals(List.of(), written(Topics.TRACKING, before, e -> "RESUBMIT".equals(e.getEventId())));
    assertEquals(1, MailflowRunIT.messages(dataDir, "bob@contoso.test", subject).size());
  }

  /** Where the record of {@code topic} about {@code nmid} written since {@code since} is. */
  private static <V extends SpecificRecord> io.mailflow.kafka.RecordOrigin origin(Topic<V> topic, Instant since,
      Predicate<V> match) {
    try (TopicReader<V> reader = TopicReader.between(bootstrap, topic, since, Instant.now(), Duration.ofSeconds(15))) {
      for (int polls = 0; polls < 600 && !reader.finished(); polls++) {
        for (TopicReader.Entry<V> e : reader.poll(Duration.ofMillis(100))) {
          if (e.decoded() && match.test(e.value())) {
            return e.origin();
          }
        }
      }
    }
    throw new AssertionError("no matching record on " + topic.name());
  }

  @Test
  void aSubmissionReplayedByOffsetRunsThePipelineAgainAndIsAbsorbedByTheStore() throws Exception {
    Instant before = Instant.now().minusSeconds(2);
    String subject = "submission replay " + UUID.randomUUID();
    String nmid = deliverOne("bob@contoso.test", subject);
    io.mailflow.kafka.RecordOrigin submitted = origin(Topics.SUBMISSION, before,
        m -> nmid.equals(m.getEnvelope().getNetworkMessageId()));

    try (TopicReader<TrackingEvent> tracking = TopicReader.fromEnd(bootstrap, Topics.TRACKING)) {
      CliRun replay = mailflow("replay", "--topic", "submission", "--partition", "" + submitted.partition(),
          "--from-offset", "" + submitted.offset(), "--to-offset", "" + submitted.offset(), "--bootstrap", bootstrap);

      assertEquals(0, replay.exit(), replay.err());
      List<String> lines = replay.out().lines().toList();
      assertEquals(2, lines.size(), replay.out());
      assertTrue(lines.get(0).matches("\\S+ mail\\.submission\\.v1-" + submitted.partition() + "@" + submitted.offset()
          + " " + nmid + " " + nmid + " bob@contoso\\.test resubmitted"), lines.get(0));
      assertEquals("1 matched, 1 resubmitted", lines.get(1));

      List<TrackingEvent> events = tracking.await(e -> nmid.equals(e.getNetworkMessageId())
          && ("RESUBMIT".equals(e.getEventId()) || "DELIVER".equals(e.getEventId())), 2, WAIT);
      TrackingEvent resubmit = events.stream().filter(e -> "RESUBMIT".equals(e.getEventId())).findFirst()
          .orElseThrow(() -> new AssertionError("no RESUBMIT event in " + events));
      assertTrue(resubmit.getSourceContext().startsWith("mailflow replay --partition " + submitted.partition()
          + " --from-offset " + submitted.offset()), resubmit.getSourceContext());
      TrackingEvent absorbed = events.stream().filter(e -> "DELIVER".equals(e.getEventId())).findFirst()
          .orElseThrow(() -> new AssertionError("no DELIVER event for the re-categorized copy in " + events));
      assertTrue(absorbed.getRecipientStatus().toString().contains("Duplicate"), absorbed.getRecipientStatus().toString());
    }
    assertEquals(1, MailflowRunIT.messages(dataDir, "bob@contoso.test", subject).size(), "still once in the mailbox");
    List<DeliveryItem> copies = written(Topics.DELIVERY, before, i -> nmid.equals(i.getEnvelope().getNetworkMessageId()));
    assertEquals(2, copies.size(), "the first routed copy and the one the categorizer and routing made again");
    assertEquals("mail.submission.v1-" + submitted.partition() + "@" + submitted.offset(),
        copies.get(1).getEnvelope().getReplayOf(), "the envelope's mark travelled through the pipeline");

    CliRun again = mailflow("replay", "--topic", "submission", "--from", before.toString(), "--recipient",
        "bob@contoso.test", "--bootstrap", bootstrap, "--dry-run");
    assertEquals(List.of("mail.submission.v1-" + submitted.partition() + "@" + submitted.offset()),
        again.out().lines().filter(l -> l.contains(" " + nmid + " ")).map(l -> l.split(" ")[1]).toList(),
        "only the original submission matches; the replayed one is not replayed again: " + again.out());
  }

  @Test
  void anOffsetRangeOfAPartitionTheTopicLacksIsOneLine() {
    CliRun outcome = mailflow("replay", "--partition", "99", "--from-offset", "0", "--to-offset", "5",
        "--bootstrap", bootstrap);
    assertEquals(1, outcome.exit());
    assertTrue(outcome.err().startsWith("mailflow: topic mail.delivery.v1 has no partition 99 (it has partitions 0-"),
        outcome.err());
    assertEquals("", outcome.out());
  }

  @Test
  void anOffsetRangePastTheEndResubmitsNothing() {
    CliRun outcome = mailflow("replay", "--partition", "0", "--from-offset", "1000000", "--to-offset", "1000005",
        "--bootstrap", bootstrap);
    assertEquals(0, outcome.exit(), outcome.err());
    assertEquals("0 matched, 0 resubmitted" + System.lineSeparator(), outcome.out());
  }

  @Test
  void aNextHopFilterThatMatchesNoQueueResubmitsNothing() {
    CliRun outcome = mailflow("replay", "--from", "-1h", "--next-hop", "SmartHostConnectorDelivery/127.0.0.1:2626/Nowhere",
        "--bootstrap", bootstrap);

    assertEquals(0, outcome.exit(), outcome.err());
    assertEquals("0 matched, 0 resubmitted" + System.lineSeparator(), outcome.out());
  }
}
