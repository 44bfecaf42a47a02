package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.DurableLogs;
import io.mailflow.kafka.LogFlusher;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, durable by default on one machine: with the embedded broker's flusher, a 250 means the message is on
 * disk. Proved by pulling the plug on a real broker half way through real SMTP sessions: every log file is cut back
 * to what the flusher had flushed at that moment (all a power cut would leave; a file never flushed keeps nothing),
 * the broker recovers from that as after a crash, and every message that had its 250 by then is read back as the categorizer
 * reads it (read_committed: its transaction's commit survived too).
 */
class PowerCutIT {
  private static final int SESSIONS = 8;
  private static final int MESSAGES_PER_SESSION = 15;

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();

  @Test
  void everyMessageAnswered250SurvivesAPowerCut(@TempDir Path dir) throws Exception {
    Path kafkaDir = dir.resolve("kafka");
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
    String bootstrap = kafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    LogFlusher flusher = new LogFlusher(kafka.logDirectory());
    DurableLogs.register(bootstrap, flusher); // before the edge's clients are made, as `mailflow run` does
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger answeredCount = new AtomicInteger();
    // Plugs pulled right after a 250, in the client's thread before it sends anything more: half way with
    // sessions in flight, and at the last 250 (before the flusher's trailing round). What the disk held then is what
    // survives, and each message whose 250 had been sent by then must be in it.
    Map<String, Cut> cuts = new ConcurrentHashMap<>();
    KafkaEdgeWiring wiring = KafkaEdgeWiring.create(bootstrap, "power-cut-it", "power-cut-EX01", null);
    SmtpEdge edge = null;
    try {
      edge = rig.start(TestOrganization.standard(), wiring.submissions(), new RecordingEvents(),
          EdgeOptions.defaults());
      ExecutorService clients = Executors.newFixedThreadPool(SESSIONS);
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        int session = s;
        SmtpEdge listening = edge;
        done.add(clients.submit(() -> {
          try (SmtpTestClient client = new SmtpTestClient(listening.listening(TestOrganization.FRONTEND).get(0))) {
            client.reply();
            client.command("EHLO client.example");
            for (int m = 0; m < MESSAGES_PER_SESSION; m++) {
              String subject = "power cut " + session + "/" + m;
              client.command("MAIL FROM:<a@fabrikam.example>");
              client.command("RCPT TO:<bob@contoso.test>");
              client.command("DATA");
              String reply = client.command("From: a@fabrikam.example\r\nTo: bob@contoso.test\r\nSubject: " + subject
                  + "\r\n\r\nHello\r\n.");
              if (reply.startsWith("250 ")) {
                accepted.add(subject);
                int n = answeredCount.incrementAndGet();
                if (n == SESSIONS * MESSAGES_PER_SESSION / 2 || n == SESSIONS * MESSAGES_PER_SESSION) {
                  // first the 250s sent, then the disk: each of them was flushed before its 250
                  Set<String> answered = Set.copyOf(accepted);
                  cuts.put(n == SESSIONS * MESSAGES_PER_SESSION ? "at the last 250" : "half way",
                      new Cut(answered, flusher.flushedSizes()));
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      clients.shutdown();
      assertEquals(SESSIONS * MESSAGES_PER_SESSION, accepted.size(), "every message got its 250");
      assertTrue(flusher.groupFlushes() < flusher.syncs() + 1 && flusher.syncs() > 0,
          "submissions asked for flushes: " + flusher.syncs() + " syncs, " + flusher.groupFlushes() + " flushes");
    } finally {
      if (edge != null) {
        rig.close(edge);
      }
      wiring.close();
      DurableLogs.unregister(bootstrap);
      flusher.close();
      kafka.close();
    }

    // and a third once all is quiet: the commits' markers and completions came after the last 250, and the
    // flusher's trailing round must have brought them to disk (else a completion could reach it before a marker)
    cuts.put("after the stop", new Cut(Set.copyOf(accepted), flusher.flushedSizes()));
    assertEquals(Set.of("half way", "at the last 250", "after the stop"), cuts.keySet());
    for (Map.Entry<String, Cut> cut : cuts.entrySet()) {
      Path copy = dir.resolve("cut " + cut.getKey());
      copyTree(kafkaDir, copy);
      pullThePlug(kafka.logDirectory(), copy.resolve(kafkaDir.relativize(kafka.logDirectory())),
          cut.getValue().disk());
      assertSurvivors(copy, cut.getKey(), cut.getValue().answered());
    }
  }

  /** The messages answered 250 by a moment, and the bytes of each log file known to be on disk then. */
  private record Cut(Set<String> answered, Map<Path, Long> disk) {}

  /**
   * In {@code logs} (a copy of the broker's {@code flushed} log dir), each file of the mail topics and of the
   * transaction log keeps only what was on disk; then it looks like a crash, not a stop.
   */
  private static void pullThePlug(Path flushed, Path logs, Map<Path, Long> disk) throws Exception {
    try (Stream<Path> files = Files.walk(logs)) {
      for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        String partition = segment.getParent().getFileName().toString();
        if (partition.startsWith("mail.") || partition.startsWith("__transaction_state")) {
          long keep = disk.getOrDefault(flushed.resolve(logs.relativize(segment).toString()), 0L);
          try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(keep);
          }
        }
      }
    }
    Files.deleteIfExists(logs.resolve(".kafka_cleanshutdown"));
  }

  private static void assertSurvivors(Path kafkaDir, String cut, Set<String> answered) throws Exception {
    EmbeddedKafka restarted = EmbeddedKafka.start(kafkaDir, 0);
    try {
      Set<String> found = new HashSet<>();
      try (TopicReader<SubmittedMessage> reader = TopicReader.fromBeginning(restarted.bootstrapServers(),
          Topics.SUBMISSION)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!found.containsAll(answered) && System.nanoTime() < deadline) {
          for (TopicReader.Entry<SubmittedMessage> e : reader.poll(Duration.ofMillis(500))) {
            if (e.decoded()) {
              found.add(String.valueOf(e.value().getEnvelope().getSubject()));
            }
          }
        }
      }
      Set<String> lost = new HashSet<>(answered);
      lost.removeAll(found);
      assertEquals(Set.of(), lost, "messages answered 250 and lost to a power cut " + cut + " (" + whereUncommitted(
          restarted.bootstrapServers(), lost) + ")");
    } finally {
      restarted.close();
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  /**
   * For a failure's message: where the lost messages are when read uncommitted (on disk but in a transaction that
   * never completed, i.e. no commit marker, or truly gone), and each partition's end and last stable offset.
   */
  private static String whereUncommitted(String bootstrap, Set<String> lost) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    StringBuilder where = new StringBuilder();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.SUBMISSION.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String value = new String(r.value(), StandardCharsets.ISO_8859_1);
          for (String subject : lost) {
            if (value.contains(subject)) {
              where.append(subject).append(" uncommitted at ").append(r.partition()).append('@').append(r.offset())
                  .append("; ");
            }
          }
        }
      }
      where.append("log end offsets ").append(ends);
    } catch (RuntimeException e) {
      where.append("cannot read uncommitted: ").append(e);
    }
    try (KafkaConsumer<byte[], byte[]> committed = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      List<TopicPartition> partitions = committed.partitionsFor(Topics.SUBMISSION.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      where.append("; last stable offsets ").append(committed.endOffsets(partitions));
    } catch (RuntimeException e) {
      where.append("; cannot read last stable offsets: ").append(e);
    }
    return where.toString();
  }
}
