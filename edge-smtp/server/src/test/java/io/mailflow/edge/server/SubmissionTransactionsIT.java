package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicReader;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a message whose client was told 4xx is never written afterwards, on a broker of its own (this class
 * stops and restarts it): the edge's submissions go through Kafka transactions, read here as the categorizer
 * reads them (read_committed).
 */
class SubmissionTransactionsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Short, so a stopped broker gives the 452 quickly; the old plain write would still land after it. */
  private static final Duration SUBMISSION_TIMEOUT = Duration.ofSeconds(3);

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    TopicProvisioner.ensureTopics(kafka.bootstrapServers(), 1, (short) 1, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private KafkaEdgeWiring wiring(String transactionalId) {
    KafkaEdgeWiring wiring = KafkaEdgeWiring.create(kafka.bootstrapServers(), "txn-it-" + UUID.randomUUID(),
        transactionalId, null);
    rig.opened("Kafka wiring " + transactionalId, wiring);
    return wiring;
  }

  private SmtpEdge edge(KafkaEdgeWiring wiring, EdgeEvents events) throws Exception {
    return rig.start(TestOrganization.standard(), wiring.submissions(), events,
        EdgeOptions.defaults().withSubmissionTimeout(SUBMISSION_TIMEOUT));
  }

  /** Sends one message with {@code subject} in a fresh session; returns the reply to its end of data. */
  private String send(SmtpEdge edge, String subject) throws IOException {
    try (SmtpTestClient client = inData(edge)) {
      return client.command(message(subject) + ".");
    }
  }

  /** A fresh session to bob, after DATA's 354: what follows is the message. */
  private static SmtpTestClient inData(SmtpEdge edge) throws IOException {
    SmtpTestClient client = new SmtpTestClient(edge.listening(TestOrganization.FRONTEND).get(0));
    client.reply();
    client.command("EHLO client.example");
    client.command("MAIL FROM:<a@fabrikam.example>");
    client.command("RCPT TO:<bob@contoso.test>");
    client.command("DATA");
    return client;
  }

  private static String message(String subject) {
    return "From: a@fabrikam.example\r\nTo: bob@contoso.test\r\nSubject: " + subject + "\r\n\r\nHello\r\n";
  }

  /**
   * Sends {@code prefix #1}, {@code #2} ... in fresh sessions, half a second apart, as a client retrying a 4xx
   * would, until one is answered 250 (its subject) or {@link #WAIT} has passed (null).
   */
  private String sendUntilAccepted(SmtpEdge edge, String prefix) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
      String subject = prefix + " #" + attempt;
      if (send(edge, subject).startsWith("250 2.6.0")) {
        return subject;
      }
      Thread.sleep(500);
    }
    return null;
  }

  /** Every subject on mail.submission.v1 as a read_committed reader sees it, once {@code last} is there. */
  private static List<String> committedSubjects(String last) {
    return committedSubjects(List.of(last));
  }

  /** The same once every one of {@code expected} is there (or after {@link #WAIT}), and a second more. */
  private static List<String> committedSubjects(java.util.Collection<String> expected) {
    List<String> seen = new ArrayList<>();
    try (TopicReader<SubmittedMessage> reader = TopicReader.fromBeginning(kafka.bootstrapServers(),
        Topics.SUBMISSION)) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
        for (TopicReader.Entry<SubmittedMessage> e : reader.poll(Duration.ofMillis(200))) {
          if (e.decoded()) {
            seen.add(String.valueOf(e.value().getEnvelope().getSubject()));
          }
        }
      }
      // and whatever comes right after
      reader.poll(Duration.ofSeconds(1)).stream().filter(TopicReader.Entry::decoded)
          .forEach(e -> seen.add(String.valueOf(e.value().getEnvelope().getSubject())));
    }
    return seen;
  }

  @Test
  void clientAnswered452WhileTheBrokerIsDownNeverHasItsMessageWritten() throws Exception {
    SmtpEdge edge = edge(wiring("txn-it-EX01"), new RecordingEvents());
    String run = UUID.randomUUID().toString();
    String before = "before " + run;
    assertTrue(send(edge, before).startsWith("250 2.6.0"));

    int port = kafka.port();
    kafka.close();
    String during = "during " + run;
    assertEquals("452 4.3.1 Insufficient system resources", send(edge, during));
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), port); // at once: a plain write still pending would land now

    // a client retrying as SMTP clients do, until the edge (without a restart) queues again
    List<String> refused = new ArrayList<>(List.of(during));
    String accepted = null;
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int attempt = 1; accepted == null && System.nanoTime() < deadline; attempt++) {
      String subject = "after " + run + " #" + attempt;
      String reply = send(edge, subject);
      if (reply.startsWith("250 2.6.0")) {
        accepted = subject;
      } else {
        assertTrue(reply.startsWith("452 4.3.1") || reply.startsWith("451 4.3.0"), reply);
        refused.add(subject);
        Thread.sleep(500);
      }
    }
    assertTrue(accepted != null, "the edge queues again after the broker came back");

    List<String> committed = committedSubjects(accepted);
    assertEquals(1, committed.stream().filter(before::equals).count(), committed.toString());
    assertEquals(1, committed.stream().filter(accepted::equals).count(), committed.toString());
    for (String r : refused) {
      assertTrue(!committed.contains(r), r + " was answered 4xx but written: " + committed);
    }
  }

  /**
   * A client that gives up waiting for its reply (a short client timeout, a dropped connection) never learnt its
   * message was accepted and sends it again: the edge takes back a write it has not committed, as Exchange
   * discards a message whose connection drops before its 250.
   */
  @Test
  void aClientThatHangsUpBeforeItsReplyHasItsMessageTakenBack() throws Exception {
    SmtpEdge edge = rig.start(TestOrganization.standard(), wiring("txn-it-hangup-EX01").submissions(),
        new RecordingEvents(), EdgeOptions.defaults().withSubmissionTimeout(Duration.ofSeconds(30)));
    String run = UUID.randomUUID().toString();
    int port = kafka.port();
    kafka.close();
    String abandoned = "hung up " + run;
    try (SmtpTestClient client = inData(edge)) {
      client.send(message(abandoned) + ".\r\n");
      Thread.sleep(1000); // the edge is waiting for Kafka; the client gives up before the 30 s timeout
    }
    Thread.sleep(500);
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);

    String accepted = sendUntilAccepted(edge, "after hang-up " + run);
    assertTrue(accepted != null, "the edge queues again after the broker came back");
    List<String> committed = committedSubjects(accepted);
    assertTrue(!committed.contains(abandoned), abandoned + " was written though its client hung up: " + committed);
  }

  @Test
  void brokerStoppedUnderLoadNothingAnswered250IsLostNothingAnswered4xxIsWritten() throws Exception {
    SmtpEdge edge = edge(wiring("txn-it-load"), new RecordingEvents());
    String run = UUID.randomUUID().toString();
    List<String> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean brokerBack = new java.util.concurrent.atomic.AtomicBoolean();
    int clients = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
    List<java.util.concurrent.Future<Boolean>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      // each client sends until told to stop, and at least once more after the broker came back
      done.add(pool.submit(() -> {
        boolean acceptedAfterRestart = false;
        for (int i = 0; !stop.get() || !acceptedAfterRestart; i++) {
          boolean back = brokerBack.get();
          String subject = "load " + run + " " + client + "#" + i;
          String reply;
          try {
            reply = send(edge, subject);
          } catch (IOException noAnswerYet) {
            continue; // its commit was under way when the broker stopped: the client waits, then gives up
          }
          if (reply.startsWith("250 2.6.0")) {
            accepted.add(subject);
            acceptedAfterRestart |= back;
          } else if (reply.startsWith("452 4.3.1") || reply.startsWith("451 4.3.0")) {
            refused.add(subject);
            Thread.sleep(200);
          } else {
            throw new AssertionError(subject + ": " + reply);
          }
        }
        return true;
      }));
    }
    Thread.sleep(1_500);
    int port = kafka.port();
    kafka.close();
    Thread.sleep(5_000); // longer than the submission timeout: clients in flight get 452
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), port);
    brokerBack.set(true);
    Thread.sleep(1_000);
    stop.set(true);
    for (java.util.concurrent.Future<Boolean> f : done) {
      assertTrue(f.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertTrue(!refused.isEmpty(), "the stopped broker refused nothing: the test did not test");

    List<String> committed = committedSubjects(accepted);
    for (String a : accepted) {
      assertEquals(1, committed.stream().filter(a::equals).count(), a + " answered 250: " + committed);
    }
    for (String r : refused) {
      assertTrue(!committed.contains(r), r + " was answered 4xx but written");
    }
  }

  @Test
  void normalSendingIsAnswered250AndWrittenOnce() throws Exception {
    SmtpEdge edge = edge(wiring("txn-it-normal"), new RecordingEvents());
    String run = UUID.randomUUID().toString();
    List<String> subjects = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String subject = "normal " + run + " #" + i;
      assertTrue(send(edge, subject).startsWith("250 2.6.0"));
      subjects.add(subject);
    }
    List<String> committed = committedSubjects(subjects.get(4));
    for (String s : subjects) {
      assertEquals(1, committed.stream().filter(s::equals).count(), s + " in " + committed);
    }
  }

  @Test
  void aWriterWithTheSameTransactionalIdEndsAnAbandonedTransactionAtOnce() throws Exception {
    String id = "txn-it-abandoned-" + UUID.randomUUID();
    String run = UUID.randomUUID().toString();
    // an edge killed mid-transaction: its transaction stays open (a minute, so waiting for that would show)
    Map<String, Object> config = KafkaClientConfig.transactionalProducer(kafka.bootstrapServers(), "abandoned", id);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    Producer<String, byte[]> abandoned = new KafkaProducer<>(config);
    abandoned.initTransactions();
    abandoned.beginTransaction();
    abandoned.send(new ProducerRecord<>(Topics.SUBMISSION.name(), "abandoned", new byte[] {1, 2, 3})).get();
    // not committed, not closed: read_committed readers are now held behind it

    KafkaEdgeWiring replacement = wiring(id);
    SmtpEdge edge = edge(replacement, new RecordingEvents());
    String after = "after the restart " + run;
    long start = System.nanoTime();
    assertTrue(send(edge, after).startsWith("250 2.6.0"));
    List<String> committed = committedSubjects(after);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(committed.contains(after), committed.toString());
    // far below the abandoned transaction's 60 s timeout: the new writer's initTransactions aborted it
    assertTrue(tookMs < 30_000, "read past the abandoned transaction after " + tookMs + " ms");
    abandoned.close(Duration.ZERO);
  }

  @Test
  void aFencedWriterAnswers451NamingItsTransactionalIdAndRecovers() throws Exception {
    String id = "txn-it-fenced-" + UUID.randomUUID();
    RecordingEvents events = new RecordingEvents();
    SmtpEdge edge = edge(wiring(id), events);
    String run = UUID.randomUUID().toString();
    assertTrue(send(edge, "first " + run).startsWith("250 2.6.0"));

    // a second producer takes the transactional id (a second edge with the same server name)
    try (Producer<String, byte[]> intruder = new KafkaProducer<>(
        KafkaClientConfig.transactionalProducer(kafka.bootstrapServers(), "intruder", id))) {
      intruder.initTransactions();
      String fenced = "fenced " + run;
      assertEquals("451 4.3.0 Message not queued because of a temporary server error, please try again later",
          send(edge, fenced));
      assertTrue(events.protocol.stream().anyMatch(p -> "Queue write failed".equals(p.getContext())
          && String.valueOf(p.getData()).contains("fenced") && String.valueOf(p.getData()).contains(id)),
          events.protocol.toString());

      // the writer starts again by itself (fencing the intruder in turn)
      String accepted = sendUntilAccepted(edge, "again " + run);
      assertTrue(accepted != null, "the writer recovers from being fenced");
      List<String> committed = committedSubjects(accepted);
      assertTrue(!committed.contains(fenced), fenced + " was answered 451 but written: " + committed);
    }
  }
}
