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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, durable by default on one machine: with the embedded broker's flusher, a 250 means the message is on
 * disk. Proved by pulling the plug on a real broker after real SMTP sessions: every log file is cut back to what the
 * flusher had flushed when the broker stopped (all a power cut would leave; a file never flushed keeps nothing),
 * the broker recovers from that as after a crash, and every message that got 250 is read back as the categorizer
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

    // Pull the plug: each file of the mail topics and of the transaction log keeps only what was flushed.
    Map<Path, Long> durable = flusher.flushedSizes();
    Path logs = kafka.logDirectory();
    try (Stream<Path> files = Files.walk(logs)) {
      for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        String partition = segment.getParent().getFileName().toString();
        if (partition.startsWith("mail.") || partition.startsWith("__transaction_state")) {
          long keep = durable.getOrDefault(segment, 0L);
          try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(keep);
          }
        }
      }
    }
    Files.deleteIfExists(logs.resolve(".kafka_cleanshutdown"));

    EmbeddedKafka restarted = EmbeddedKafka.start(kafkaDir, 0);
    try {
      Set<String> found = new HashSet<>();
      try (TopicReader<SubmittedMessage> reader = TopicReader.fromBeginning(restarted.bootstrapServers(),
          Topics.SUBMISSION)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!found.containsAll(accepted) && System.nanoTime() < deadline) {
          for (TopicReader.Entry<SubmittedMessage> e : reader.poll(Duration.ofMillis(500))) {
            if (e.decoded()) {
              found.add(String.valueOf(e.value().getEnvelope().getSubject()));
            }
          }
        }
      }
      Set<String> lost = new HashSet<>(accepted);
      lost.removeAll(found);
      assertEquals(Set.of(), lost, "messages answered 250 and lost to the power cut");
    } finally {
      restarted.close();
    }
  }
}
