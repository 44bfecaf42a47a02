package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `mailflow poison list | resubmit ID | delete ID` against a real broker: a record a real StageLoop parked is listed,
 * goes back to its topic unchanged, is refused a second time without --force, is hidden once deleted; each action
 * is a tracking event `events tail --topic tracking` shows.
 */
class PoisonCommandIT {

  private static String bootstrap;

  @BeforeAll
  static void topics() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
  }

  /** Parks {@code value} under {@code key} the real way: a stage's loop cannot decode it. Answers the entry's id. */
  private static String park(String key, byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "raw-" + key))) {
      raw.send(new ProducerRecord<>(Topics.SUBMISSION.name(), key, value)).get(10, TimeUnit.SECONDS);
    }
    try (TopicReader<PoisonRecord> poison = TopicReader.fromEnd(bootstrap, Topics.POISON);
        TopicPublisher publisher = TopicPublisher.create(bootstrap, "stage-" + key);
        StageLoop<SubmittedMessage> loop = StageLoop.start("categorizer", bootstrap, "poison-cli-it-" + key,
            Topics.SUBMISSION, (k, v, origin) -> CompletableFuture.completedFuture(null), publisher,
            StageLoop.Options.defaults())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        for (TopicReader.Entry<PoisonRecord> e : poison.poll(Duration.ofMillis(200))) {
          if (e.decoded() && key.equals(e.key())) {
            return e.origin().partition() + ":" + e.origin().offset();
          }
        }
      }
    }
    throw new AssertionError("nothing parked for " + key);
  }

  private static ConsumerRecord<String, byte[]> rawRecordAt(String topic, int partition, long offset) {
    Map<String, Object> config = KafkaClientConfig.consumer(bootstrap, "unused", "poison-cli-it-raw");
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      TopicPartition p = new TopicPartition(topic, partition);
      consumer.assign(List.of(p));
      consumer.seek(p, offset);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == offset) {
            return r;
          }
        }
      }
    }
    return null;
  }

  private static String line(CliRun list, String key) {
    return list.out().lines().filter(l -> l.contains(key)).findFirst().orElse(null);
  }

  @Test
  void listResubmitAndDeleteAParkedRecord() throws Exception {
    String key = UUID.randomUUID().toString();
    byte[] garbage = ("not avro " + key).getBytes(StandardCharsets.US_ASCII);
    String id = park(key, garbage);

    CliRun list = mailflow("poison", "list", "--bootstrap", bootstrap);
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().startsWith("Id"), list.out());
    String row = line(list, key);
    assertNotNull(row, list.out());
    assertTrue(row.startsWith(id + " "), row);
    assertTrue(row.matches(".*categorizer\\s+mail\\.submission\\.v1-\\d+@\\d+\\s+Parked\\s+" + garbage.length
        + "\\s+" + key + "\\s+SubmittedMessage: not Avro single-object encoded.*"), row);

    CliRun resubmitted = mailflow("poison", "resubmit", id, "--reason", "fixed", "--bootstrap", bootstrap);
    assertEquals(0, resubmitted.exit(), resubmitted.err());
    Matcher to = Pattern.compile("poison " + Pattern.quote(id) + " resubmitted to mail\\.submission\\.v1-(\\d+)@(\\d+) by "
        + Pattern.quote(KafkaOption.who()) + " \\(fixed\\)\\s*").matcher(resubmitted.out());
    assertTrue(to.matches(), resubmitted.out());
    ConsumerRecord<String, byte[]> back = rawRecordAt(Topics.SUBMISSION.name(), Integer.parseInt(to.group(1)),
        Long.parseLong(to.group(2)));
    assertEquals(key, back.key());
    assertArrayEquals(garbage, back.value());
    assertTrue(line(mailflow("poison", "list", "--bootstrap", bootstrap), key).contains(" Resubmitted "));

    CliRun again = mailflow("poison", "resubmit", id, "--bootstrap", bootstrap);
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("resubmit it again with force"), again.err());
    CliRun forced = mailflow("poison", "resubmit", id, "--force", "--bootstrap", bootstrap);
    assertEquals(0, forced.exit(), forced.err());

    CliRun deleted = mailflow("poison", "delete", id, "--bootstrap", bootstrap);
    assertEquals(0, deleted.exit(), deleted.err());
    assertEquals("poison " + id + " deleted by " + KafkaOption.who(), deleted.out().strip());
    assertEquals(null, line(mailflow("poison", "list", "--bootstrap", bootstrap), key), "deleted entries are hidden");
    assertTrue(line(mailflow("poison", "list", "--all", "--bootstrap", bootstrap), key).contains(" Deleted "));
    try (ControlView view = ControlView.start(bootstrap, "poison-cli-it", Duration.ofSeconds(15))) {
      ControlRecord decision = view.get(ControlKind.POISON, id).orElseThrow();
      assertEquals("Deleted", decision.getState());
      assertEquals(KafkaOption.who(), decision.getSetBy());
    }

    // each action is a tracking event (source ADMIN) about the message; the refused resubmit wrote none
    CliRun tail = mailflow("events", "tail", "--topic", "tracking", "--from-beginning", "--idle-exit", "3",
        "--bootstrap", bootstrap);
    assertEquals(0, tail.exit(), tail.err());
    List<String> audit = tail.out().lines().filter(l -> l.contains("\"ADMIN\"") && l.contains(key)).toList();
    assertEquals(3, audit.size(), "got " + audit + ", want resubmit, forced resubmit, delete");
    assertTrue(audit.get(0).contains("\"QUEUEACTION\"") && audit.get(0).contains("\"fixed\""), audit.get(0));
    assertTrue(audit.get(0).contains("Resume-Message -Identity poison\\\\" + id + "; setBy=" + KafkaOption.who()
        + "; via=cli; topic=mail.submission.v1"), audit.get(0));
    assertTrue(audit.get(2).contains("Remove-Message -Identity poison\\\\" + id), audit.get(2));
  }

  @Test
  void aMalformedOrUnknownIdIsOneLineAndExit1() {
    CliRun malformed = mailflow("poison", "delete", "zero", "--bootstrap", bootstrap);
    assertEquals(1, malformed.exit());
    assertTrue(malformed.err().startsWith("mailflow: malformed poison id 'zero'"), malformed.err());
    CliRun unknown = mailflow("poison", "resubmit", "0:999999999", "--bootstrap", bootstrap);
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().startsWith("mailflow: no parked record 0:999999999"), unknown.err());
    assertEquals(1, unknown.err().lines().count(), unknown.err());
  }
}
