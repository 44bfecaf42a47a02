package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.TrackingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, consumer side: a broker outage is waited out (nothing parked, everything processed once it is
 * back, the loop answering meanwhile), and a member killed with kill -9 hands over its partitions in seconds:
 * to itself when it restarts with the same instance id, to the survivors when it does not.
 */
class StageLoopRecoveryIT {
  private static final int RECORDS = 20;

  private static TrackingEvent event(String networkMessageId) {
    return TrackingEvent.newBuilder().setDateTime(Instant.now()).setSource("TEST").setEventId("RECEIVE")
        .setNetworkMessageId(networkMessageId).build();
  }

  @Test
  void aBrokerOutageLongerThanThePoisonThresholdTimesTheBackoffParksNothing(@TempDir Path dir) throws Exception {
    String run = UUID.randomUUID().toString();
    Path kafkaDir = dir.resolve("kafka");
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
    int port = kafka.port();
    String bootstrap = kafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // poisonThreshold 2 and a 100 ms backoff: without the triage the first records would be parked within a second
    StageLoop.Options options = StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(100))
        .withMeters(meters);
    Set<String> processed = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> firstHandedOver = new CompletableFuture<>();
    Executor later = CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS);
    StageLoop<TrackingEvent> loop = null;
    // the stage's output, with short producer timeouts so that sends fail often during the outage
    Map<String, Object> config = KafkaClientConfig.producer(bootstrap, "output-" + run);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    try (TopicPublisher output = new TopicPublisher(new KafkaProducer<>(config), "output-" + run);
        TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      for (int i = 0; i < RECORDS; i++) {
        publisher.send(Topics.TRACKING, run + "-" + i, event(run + "/" + i)).get();
      }
      loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING, (key, value, origin) -> {
        firstHandedOver.complete(null);
        // in flight for a while, then the stage writes its output to Kafka: during the outage that fails
        return CompletableFuture.runAsync(() -> {}, later)
            .thenCompose(v -> output.sendRaw(Topics.BODIES.name(), key, new byte[] {1}))
            .thenRun(() -> processed.add(value.getNetworkMessageId()));
      }, publisher, options);
      firstHandedOver.get(30, TimeUnit.SECONDS);
      kafka.close(); // records in flight, their output not written

      Thread.sleep(8_000); // 2 × 100 ms many times over; output sends fail every 1-2 s
      assertTrue(processed.size() < RECORDS, "the outage came too late: everything was processed before it");
      assertTrue(meters.get("mailflow.stage.kafka.unavailable").gauge().value() == 1.0,
          "the loop says it waits out an outage");
      // (b) the loop still answers during the outage: a functional bound, generous
      Map<TopicPartition, Long> positions = loop.positions().get(10, TimeUnit.SECONDS);
      assertEquals(2, positions.size(), "the member still owns both partitions: " + positions);
      assertFalse(loop.stopped().isDone(), "the loop is still running");

      kafka = EmbeddedKafka.start(kafkaDir, port);
      StageLoop<TrackingEvent> running = loop;
      awaitTrue(() -> processed.size() == RECORDS, Duration.ofSeconds(60),
          () -> "every record processed once Kafka was back (" + processed.size() + " of " + RECORDS + ")");
      assertFalse(running.stopped().isDone(), "the loop is still running");
      assertEquals(0, endOffsets(bootstrap, Topics.POISON.name()).values().stream().mapToLong(Long::longValue).sum(),
          "nothing was parked on " + Topics.POISON.name());
      assertTrue(meters.get("mailflow.stage.kafka.unavailable.retries").counter().count() >= 2,
          "attempts failed by the outage were counted as such");
      Map<TopicPartition, Long> ends = endOffsets(bootstrap, Topics.TRACKING.name());
      awaitTrue(() -> ends.equals(committed(bootstrap, "group-" + run, ends.keySet())), Duration.ofSeconds(30),
          () -> "offsets committed up to the end " + ends);
      awaitTrue(() -> meters.get("mailflow.stage.kafka.unavailable").gauge().value() == 0.0, Duration.ofSeconds(10),
          () -> "the outage is over");
    } finally {
      if (loop != null) {
        loop.close();
      }
      kafka.close();
    }
  }

  @Test
  void aMemberKilledAndRestartedWithItsInstanceIdGetsItsPartitionsBackBeforeItsSessionExpires() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    String run = UUID.randomUUID().toString();
    String group = "group-" + run;
    Process child = startMember(bootstrap, group, "node-" + run, "joined 2");
    child.destroyForcibly().waitFor();

    long started = System.nanoTime();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run);
        StageLoop<TrackingEvent> restarted = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
            (key, value, origin) -> CompletableFuture.completedFuture(null), publisher,
            StageLoop.Options.defaults().withInstanceId("node-" + run))) {
      awaitTrue(() -> restarted.membership().partitions() == 2, Duration.ofSeconds(30),
          () -> "the restarted member owns both partitions again");
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("the restarted member owned both partitions %d ms after it started%n", tookMs);
      // a new dynamic member would wait for the dead one's session to expire first
      assertTrue(tookMs < KafkaClientConfig.SESSION_TIMEOUT_MS,
          "took " + tookMs + " ms, not less than the session timeout: the member was not recognised");
    }
  }

  @Test
  void whenOneOfTwoMembersDiesTheSurvivorOwnsAllPartitionsWithinTenSeconds() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    String run = UUID.randomUUID().toString();
    String group = "group-" + run;
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run);
        StageLoop<TrackingEvent> survivor = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
            (key, value, origin) -> CompletableFuture.completedFuture(null), publisher,
            StageLoop.Options.defaults().withInstanceId("survivor-" + run))) {
      awaitTrue(() -> survivor.membership().partitions() == 2, Duration.ofSeconds(30), () -> "the first member joined");
      Process child = startMember(bootstrap, group, "dies-" + run, "joined 1");
      awaitTrue(() -> survivor.membership().partitions() == 1, Duration.ofSeconds(30),
          () -> "the partitions were shared");
      child.destroyForcibly().waitFor();
      long killed = System.nanoTime();

      awaitTrue(() -> survivor.membership().partitions() == 2, Duration.ofSeconds(15),
          () -> "the survivor owns both partitions");
      System.out.printf("survivor owned both partitions %d ms after the kill%n",
          (System.nanoTime() - killed) / 1_000_000);
    }
  }

  /** A member in a child JVM, once it printed {@code joined}. */
  private static Process startMember(String bootstrap, String group, String instanceId, String joined)
      throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path"), StageLoopMemberChild.class.getName(),
        bootstrap, group, instanceId).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          for (String l = out.readLine(); l != null; l = out.readLine()) {
            if (l.startsWith("joined")) {
              return l;
            }
          }
          return "exited";
        } catch (java.io.IOException e) {
          return e.toString();
        }
      });
      assertEquals(joined, line.get(60, TimeUnit.SECONDS), "the child member");
      return child;
    } catch (Exception | AssertionError e) {
      child.destroyForcibly();
      throw e;
    }
  }

  private static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic) {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClientConfig.consumer(bootstrap, "ends", "ends"))) {
      List<TopicPartition> partitions = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return Map.copyOf(c.endOffsets(partitions, Duration.ofSeconds(10)));
    }
  }

  private static Map<TopicPartition, Long> committed(String bootstrap, String group, Set<TopicPartition> partitions) {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClientConfig.consumer(bootstrap, group, "peek"))) {
      Map<TopicPartition, OffsetAndMetadata> at = c.committed(partitions, Duration.ofSeconds(10));
      return at.entrySet().stream().filter(e -> e.getValue() != null)
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  private static void awaitTrue(BooleanSupplier condition, Duration within, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what.get());
      }
      Thread.sleep(50);
    }
  }
}
