package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's group commit, on a real broker: what a publisher was told is written is on disk, proved by
 * pulling the plug — the broker's log files cut back to what the flusher had flushed (all a power cut leaves), the
 * broker recovered from them, and every acknowledged record read back.
 */
class LogFlusherIT {
  private static final int RECORDS = 300;

  @Test
  void everyAcknowledgedRecordSurvivesAPowerCutAndSessionsShareFlushes(@TempDir Path dir) throws Exception {
    Path kafkaDir = dir.resolve("kafka");
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
    String bootstrap = kafka.bootstrapServers();
    LogFlusher flusher = new LogFlusher(kafka.logDirectory());
    Set<String> acknowledged = new HashSet<>();
    try {
      TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
      DurableLogs.register(bootstrap, flusher);
      try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "flusher-it")) {
        // tracking events are not flushed one by one: they ask for nothing
        publisher.track(TrackingEvent.newBuilder().setDateTime(Instant.now()).setSource("SMTP")
            .setEventId("RECEIVE").setNetworkMessageId("n-0").build()).get(30, TimeUnit.SECONDS);
        assertEquals(0, flusher.syncs(), "a tracking event waits for no flush");

        // many writers at once, as concurrent SMTP sessions: their records share flushes
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
          sent.add(publisher.sendRaw(Topics.CATEGORIZED.name(), "m-" + i, ("message " + i).getBytes()));
        }
        for (int i = 0; i < RECORDS; i++) {
          sent.get(i).get(30, TimeUnit.SECONDS);
          acknowledged.add("m-" + i);
        }
      }
      assertEquals(RECORDS, flusher.syncs(), "every acknowledged record asked for a flush");
      assertTrue(flusher.groupFlushes() < RECORDS / 2,
          "sessions share flushes: " + flusher.groupFlushes() + " flushes for " + RECORDS + " records");
    } finally {
      DurableLogs.unregister(bootstrap);
      flusher.close();
      kafka.close();
    }

    // Pull the plug: every segment of a mail topic keeps only what was flushed; an unflushed one keeps nothing.
    Map<Path, Long> durable = flusher.flushedSizes();
    assertFalse(durable.isEmpty(), "something was flushed");
    Path logs = kafka.logDirectory();
    int cut = 0;
    try (Stream<Path> files = Files.walk(logs)) {
      for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")
          && f.getParent().getFileName().toString().startsWith("mail.")).toList()) {
        long keep = durable.getOrDefault(segment, 0L);
        if (Files.size(segment) > keep) {
          try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(keep);
          }
          cut++;
        }
      }
    }
    assertTrue(cut > 0, "the tracking topic's unflushed segment was cut back");
    Files.deleteIfExists(logs.resolve(".kafka_cleanshutdown")); // recover as after a crash, not a clean stop

    EmbeddedKafka restarted = EmbeddedKafka.start(kafkaDir, 0);
    try {
      Set<String> found = new HashSet<>();
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
          KafkaClientConfig.consumer(restarted.bootstrapServers(), "power-cut-check", "power-cut-check"))) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CATEGORIZED.name(), Duration.ofSeconds(30))
            .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (found.size() < RECORDS && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            found.add(r.key());
          }
        }
      }
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(found);
      assertEquals(Set.of(), lost, "acknowledged records lost to the power cut");
    } finally {
      restarted.close();
    }
  }

  @Test
  void aFlushThatCannotHappenFailsNamingThePartition(@TempDir Path dir) throws Exception {
    try (LogFlusher flusher = new LogFlusher(dir)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> flusher.sync(List.of(new TopicPartition("mail.submission.v1", 0))).get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("mail.submission.v1-0"), e.getCause().getMessage());
    }
  }

}
