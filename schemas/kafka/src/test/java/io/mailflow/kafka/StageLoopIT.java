package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.PoisonRecord;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stage loop against a real broker. Each test uses its own consumer group and its own keys, and
 * reads the tracking topic (any Avro topic would do) as its input.
 */
class StageLoopIT {
  private static String bootstrap;
  private static final StageLoop.Options FAST = StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(50));

  @BeforeAll
  static void topics() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
  }

  private static TrackingEvent event(String networkMessageId) {
    return TrackingEvent.newBuilder().setDateTime(Instant.now()).setSource("TEST").setEventId("RECEIVE")
        .setNetworkMessageId(networkMessageId).build();
  }

  @Test
  void membershipSaysWhenTheConsumerHasJoinedItsGroupAndNotAfterItStopped() throws Exception {
    String run = UUID.randomUUID().toString();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING,
          (key, value, origin) -> CompletableFuture.completedFuture(null), publisher, FAST);
      try {
        awaitTrue(() -> loop.membership().joined(), "the loop joined its group");
        assertEquals(2, loop.membership().partitions(), "the only member owns both partitions");
      } finally {
        loop.close();
      }
      assertEquals(new StageLoop.Membership(false, loop.membership().partitions()), loop.membership(),
          "a stopped loop is no member");
    }
  }

  @Test
  void shouldParkUndecodableRecordAndContinue() throws Exception {
    String run = UUID.randomUUID().toString();
    List<String> processed = new CopyOnWriteArrayList<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run);
        TopicReader<PoisonRecord> poison = TopicReader.fromEnd(bootstrap, Topics.POISON);
        KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "raw-" + run))) {
      raw.send(new ProducerRecord<>(Topics.TRACKING.name(), run, "garbage, not avro".getBytes())).get();
      publisher.send(Topics.TRACKING, run, event(run + "/after")).get();

      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              processed.add(value.getNetworkMessageId());
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST)) {
        List<PoisonRecord> parked = poison.await(p -> run.equals(new String(bytes(p.getKey()))), 1, Duration.ofSeconds(30));

        assertEquals(1, parked.size(), "parked records for " + run);
        assertEquals("test", parked.get(0).getStage());
        assertTrue(parked.get(0).getReason().contains("not Avro single-object encoded"), parked.get(0).getReason());
        awaitTrue(() -> processed.contains(run + "/after"), "the record after the poison one was processed");
      }
    }
  }

  @Test
  void recordThatKeepsFailingIsParkedAfterThePoisonThresholdAndOthersFlow() throws Exception {
    String run = UUID.randomUUID().toString();
    AtomicInteger attempts = new AtomicInteger();
    List<String> processed = new CopyOnWriteArrayList<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run);
        TopicReader<PoisonRecord> poison = TopicReader.fromEnd(bootstrap, Topics.POISON)) {
      publisher.send(Topics.TRACKING, run, event(run + "/bad")).get();
      publisher.send(Topics.TRACKING, run, event(run + "/good")).get();

      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING,
          (key, value, origin) -> {
            if (!run.equals(key)) {
              return CompletableFuture.completedFuture(null);
            }
            if (value.getNetworkMessageId().endsWith("/bad")) {
              attempts.incrementAndGet();
              return CompletableFuture.failedFuture(new IllegalStateException("remote said no"));
            }
            processed.add(value.getNetworkMessageId());
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST)) {
        List<PoisonRecord> parked = poison.await(p -> run.equals(new String(bytes(p.getKey()))), 1, Duration.ofSeconds(30));

        assertEquals(1, parked.size());
        assertEquals("failed 2 times: remote said no", parked.get(0).getReason());
        assertEquals(StageLoop.DEFAULT_POISON_THRESHOLD, attempts.get());
        awaitTrue(() -> processed.contains(run + "/good"), "the good record was processed");
      }
    }
  }

  @Test
  void offsetsAreCommittedOnlyAfterProcessingCompletes() throws Exception {
    String run = UUID.randomUUID().toString();
    String group = "group-" + run;
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      publisher.send(Topics.TRACKING, run, event(run + "/1")).get();
      CompletableFuture<Void> never = new CompletableFuture<>();
      StageLoop.Options shortTimeout = new StageLoop.Options(5, Duration.ofMillis(50), Duration.ofSeconds(2), 500);
      // First member: processing never completes, so nothing may be committed.
      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              seen.computeIfAbsent("first", k -> new AtomicInteger()).incrementAndGet();
              return never;
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, shortTimeout)) {
        awaitTrue(() -> seen.containsKey("first"), "first member saw the record");
      }
      // Second member of the same group gets the record again.
      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              seen.computeIfAbsent("second", k -> new AtomicInteger()).incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST)) {
        awaitTrue(() -> seen.containsKey("second"), "uncommitted record delivered again to the group");
      }
    }
  }

  @Test
  void aRecordThatNeverFinishesDoesNotHoldUpTheRecordsBehindIt() throws Exception {
    String run = UUID.randomUUID().toString();
    List<String> processed = new CopyOnWriteArrayList<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      // one key: the same partition, the silent record first
      publisher.send(Topics.TRACKING, run, event(run + "/silent")).get();
      for (int i = 0; i < 5; i++) {
        publisher.send(Topics.TRACKING, run, event(run + "/after-" + i)).get();
      }
      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING,
          (key, value, origin) -> {
            if (!run.equals(key)) {
              return CompletableFuture.completedFuture(null);
            }
            if (value.getNetworkMessageId().endsWith("/silent")) {
              return new CompletableFuture<>(); // a remote server that never answers
            }
            processed.add(value.getNetworkMessageId());
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST)) {
        awaitTrue(() -> processed.size() == 5, "the five records behind the silent one were processed");
      }
    }
  }

  @Test
  void closeAbandonsAStuckBatchUncommittedAfterTheGrace() throws Exception {
    String run = UUID.randomUUID().toString();
    String group = "group-" + run;
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      publisher.send(Topics.TRACKING, run, event(run + "/stuck")).get();
      StageLoop<TrackingEvent> stuck = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              seen.computeIfAbsent("first", k -> new AtomicInteger()).incrementAndGet();
              return new CompletableFuture<>(); // a peer that never answers
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, StageLoop.Options.defaults());
      awaitTrue(() -> seen.containsKey("first"), "the stuck record is being processed");

      long started = System.nanoTime();
      stuck.close();
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertTrue(tookMs < StageLoop.CLOSE_GRACE.toMillis() + 10_000, "close took " + tookMs + " ms");
      assertTrue(stuck.stopped().isDone() && !stuck.stopped().isCompletedExceptionally(), "stopped normally");
      try (StageLoop<TrackingEvent> next = StageLoop.start("test", bootstrap, group, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              seen.computeIfAbsent("second", k -> new AtomicInteger()).incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST)) {
        awaitTrue(() -> seen.containsKey("second"), "the abandoned record is read again by the group");
      }
    }
  }

  @Test
  void aRecordNotYetDueHoldsItsPartitionInOrderWhileOtherPartitionsFlow() throws Exception {
    String run = UUID.randomUUID().toString();
    List<String> processed = new CopyOnWriteArrayList<>();
    Map<String, Long> processedAt = new ConcurrentHashMap<>();
    Instant due = Instant.now().plusMillis(2000);
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run);
        KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaClientConfig.producer(bootstrap, "raw-" + run))) {
      TrackingEvent held = event(run + "/held");
      held.setDateTime(due); // this test's due time: the event's date
      long heldOffset = raw.send(new ProducerRecord<>(Topics.TRACKING.name(), 0, run,
          Topics.TRACKING.codec().encode(held))).get().offset();
      raw.send(new ProducerRecord<>(Topics.TRACKING.name(), 0, run, Topics.TRACKING.codec().encode(event(run + "/behind"))))
          .get();
      raw.send(new ProducerRecord<>(Topics.TRACKING.name(), 1, run, Topics.TRACKING.codec().encode(event(run + "/other"))))
          .get();
      List<Collection<TopicPartition>> assigned = new CopyOnWriteArrayList<>();

      try (StageLoop<TrackingEvent> loop = StageLoop.start("test", bootstrap, "group-" + run, Topics.TRACKING,
          (key, value, origin) -> {
            if (run.equals(key)) {
              processed.add(value.getNetworkMessageId());
              processedAt.put(value.getNetworkMessageId(), System.currentTimeMillis());
            }
            return CompletableFuture.completedFuture(null);
          }, publisher, FAST, StageLoop.Hooks.<TrackingEvent>none()
              .withDueTime(v -> v.getNetworkMessageId().startsWith(run) ? v.getDateTime() : null)
              .withOnAssigned(assigned::add))) {
        awaitTrue(() -> processed.contains(run + "/other"), "the other partition flowed");
        assertTrue(Instant.now().isBefore(due), "the test was too slow to see the hold");
        assertEquals(List.of(run + "/other"), processed, "nothing of the held partition before it is due");
        Map<TopicPartition, Long> positions = loop.positions().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(heldOffset, positions.get(new TopicPartition(Topics.TRACKING.name(), 0)),
            "the held partition stands at the record not yet due");
        assertTrue(!assigned.isEmpty() && assigned.get(0).contains(new TopicPartition(Topics.TRACKING.name(), 0)),
            "onAssigned named the partitions: " + assigned);

        awaitTrue(() -> processed.contains(run + "/behind"), "the held partition went on once due");
        assertEquals(List.of(run + "/other", run + "/held", run + "/behind"), processed, "in order");
        assertTrue(processedAt.get(run + "/held") >= due.toEpochMilli(), "held until due");
      }
    }
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
    java.nio.ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  @Test
  void stopAllStopsEveryLoopOfItsGroupWithoutWaitingForOneAnotherAndNoOtherLoop() throws Exception {
    String run = UUID.randomUUID().toString();
    StageLoop.StopGroup group = new StageLoop.StopGroup();
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "test-" + run)) {
      List<StageLoop<TrackingEvent>> loops = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        loops.add(StageLoop.start("test-" + i, bootstrap, "group-" + run + "-" + i, Topics.TRACKING,
            (key, value, origin) -> CompletableFuture.completedFuture(null), publisher, FAST.withStopGroup(group)));
      }
      StageLoop<TrackingEvent> outsider = StageLoop.start("outsider", bootstrap, "group-" + run + "-outsider",
          Topics.TRACKING, (key, value, origin) -> CompletableFuture.completedFuture(null), publisher, FAST);
      try {
        for (StageLoop<TrackingEvent> loop : loops) {
          awaitTrue(() -> loop.membership().joined(), "each loop joined its group");
        }
        awaitTrue(() -> outsider.membership().joined(), "the outsider joined its group");

        group.stopAll(); // no close(): the loops end on their own threads, side by side
        CompletableFuture.allOf(loops.stream().map(StageLoop::stopped).toArray(CompletableFuture[]::new))
            .get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(loops.stream().noneMatch(l -> l.membership().joined()), "every loop of the group left");
        assertTrue(outsider.membership().joined() && !outsider.stopped().isDone(), "a loop outside the group runs on");
      } finally {
        loops.forEach(StageLoop::close);
        outsider.close();
      }
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
