package io.mailflow.tracking;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TrackingIndexBench - issue 12's "Measure" for the tracking index (run by ops/bench/tracking-index.sh, skipped
 * otherwise): indexes EVENTS synthetic events straight into Lucene (decode + add + commits as the feed makes them),
 * then times first pages of Get-MessageTrackingLog searches (sender, recipient, message id, 1-hour window, delivery
 * report), prints the index size; then produces KAFKA_EVENTS events to mail.tracking.v1 on a fresh embedded broker
 * and times a new TrackingIndex catching up from the topic.
 */
class TrackingIndexBench {
  @TempDir
  Path dir;

  private final List<String> lines = new ArrayList<>();

  private void figure(String line) {
    System.out.println(line);
    lines.add(line);
  }

  @Test
  void measure() throws Exception {
    assumeTrue(Boolean.getBoolean("tracking.bench"), "run by ops/bench/tracking-index.sh");
    long events = Long.getLong("tracking.bench.events", 1_000_000);
    long kafkaEvents = Long.getLong("tracking.bench.kafkaEvents", 200_000);
    int runs = Integer.getInteger("tracking.bench.queries", 200);
    figure("tracking-index date " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " cores "
        + Runtime.getRuntime().availableProcessors() + " heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
        + " MiB");

    // 1. generate (not timed): the bytes as they would be on the topic
    Instant end = Instant.now();
    SyntheticTraffic traffic = new SyntheticTraffic(12);
    List<byte[]> encoded = new ArrayList<>((int) events + 100);
    List<String> messageIds = new ArrayList<>();
    SplittableRandom pick = new SplittableRandom(7);
    traffic.generate(events, end, Duration.ofDays(7), e -> {
      encoded.add(Topics.TRACKING.codec().encode(e));
      if (e.getEventId().equals("RECEIVE") && pick.nextInt(50) == 0) {
        messageIds.add(e.getMessageId());
      }
    });

    // 2. direct to Lucene: decode + add, a commit every 50,000 events as the feed does under load
    TrackingIndex.Options options = new TrackingIndex.Options(Duration.ofDays(30), true, Duration.ofSeconds(1),
        TrackingIndex.Options.DEFAULT_COMMIT_EVENTS, Duration.ofMillis(250), Clock.systemUTC());
    Path direct = dir.resolve("direct");
    try (TrackingIndex index = TrackingIndex.local(direct, options)) {
      TrackingStore store = index.store();
      long d0 = System.nanoTime();
      long decoded = 0;
      for (byte[] bytes : encoded) {
        decoded += Topics.TRACKING.codec().decode(bytes).getRecipientCount();
      }
      double decodeSeconds = (System.nanoTime() - d0) / 1e9;
      figure(String.format(Locale.ROOT, "tracking-index decode-only events/s %.0f (Avro, one thread; %d recipients)",
          encoded.size() / decodeSeconds, decoded));
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      Map<Integer, Long> positions = new HashMap<>();
      for (int i = 0; i < encoded.size(); i++) {
        byte[] bytes = encoded.get(i);
        store.add(Topics.TRACKING.codec().decode(bytes), bytes, TrackingFields.position(0, i));
        if ((i + 1) % options.commitEvents() == 0) {
          positions.put(0, (long) i + 1);
          store.commit(positions);
        }
      }
      positions.put(0, (long) encoded.size());
      store.commit(positions);
      store.refresh();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      figure(String.format(Locale.ROOT, "tracking-index direct-lucene events %d seconds %.1f events/s %.0f "
          + "process-cpu-s %.1f events/cpu-s %.0f", encoded.size(), seconds, encoded.size() / seconds, cpu,
          encoded.size() / cpu));
      figure("tracking-index size-on-disk MiB " + String.format(Locale.ROOT, "%.1f", size(direct) / 1048576.0)
          + " events " + index.status().eventsIndexed() + " (after the last commit, no force-merge)");

      // 3. searches: first page (ResultSize 1000, Get-MessageTrackingLog's default), warm-up not counted
      SplittableRandom r = new SplittableRandom(99);
      Instant from = end.minus(Duration.ofDays(7));
      time(index, "sender", runs, () -> q("Sender", SyntheticTraffic.mailbox(traffic.zipfIndex())));
      time(index, "recipient", runs, () -> q("Recipients", SyntheticTraffic.mailbox(traffic.zipfIndex())));
      time(index, "message-id", runs, () -> q("MessageId", messageIds.get(r.nextInt(messageIds.size()))));
      time(index, "time-window-1h", runs, () -> {
        Instant s = from.plusSeconds(r.nextLong(7 * 86400 - 3600));
        return q("Start", s.toString(), "End", s.plusSeconds(3600).toString());
      });
      time(index, "sender+window-1d", runs, () -> {
        Instant s = from.plusSeconds(r.nextLong(6 * 86400));
        return q("Sender", SyntheticTraffic.mailbox(traffic.zipfIndex()), "Start", s.toString(), "End",
            s.plusSeconds(86400).toString());
      });
      time(index, "subject-part", Math.min(runs, 50), () -> q("MessageSubject", "budget review"));
      Histogram reports = new Histogram(3);
      for (int i = 0; i < runs + 20; i++) {
        String id = messageIds.get(r.nextInt(messageIds.size()));
        long q0 = System.nanoTime();
        index.report(id);
        if (i >= 20) {
          reports.recordValue((System.nanoTime() - q0) / 1000);
        }
      }
      print("delivery-report", reports, -1);
    }

    // 4. from the real topic: KAFKA_EVENTS produced first, then a new index catches up
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 6, (short) 1, Duration.ofSeconds(60));
    Map<String, Object> config = KafkaClientConfig.producer(bootstrap, "tracking-bench");
    // a benchmark loading a shared 2-core machine: let slow acks be slow rather than expire batches
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    // The loader, not the thing measured: without idempotence (one request in flight keeps the order). With it, the
    // embedded broker on a loaded machine answered OUT_OF_ORDER_SEQUENCE_NUMBER forever to a sequence reset.
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    AtomicLong failed = new AtomicLong();
    long produced = Math.min(kafkaEvents, encoded.size());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
      for (int i = 0; i < produced; i++) {
        byte[] bytes = encoded.get(i);
        producer.send(new ProducerRecord<>(Topics.TRACKING.name(), key(bytes), bytes), (md, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
        });
        if ((i + 1) % 20_000 == 0) {
          producer.flush();
        }
      }
      producer.flush();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + produced + " events were not produced");
    }
    Path fromTopic = dir.resolve("from-topic");
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    try (TrackingIndex index = TrackingIndex.open(fromTopic, bootstrap, options)) {
      if (!index.awaitCaughtUp(Duration.ofMinutes(10))) {
        throw new IllegalStateException("did not catch up: " + index.status());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long n = index.status().eventsIndexed();
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      figure(String.format(Locale.ROOT, "tracking-index from-kafka events %d seconds %.1f events/s %.0f "
          + "process-cpu-s %.1f events/cpu-s %.0f (6 partitions, embedded broker in the same JVM, its CPU counted)",
          n, seconds, n / seconds, cpu, n / cpu));
    }
    Path out = Path.of("target", "tracking-index.txt");
    Files.write(out, lines, StandardCharsets.UTF_8);
  }

  /** CPU time of this whole JVM (indexing, merges, and the embedded broker when it runs). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String key(byte[] bytes) {
    TrackingEvent e = Topics.TRACKING.codec().decode(bytes);
    return e.getNetworkMessageId();
  }

  private static TrackingQuery q(String... nameValues) {
    Map<String, List<String>> m = new HashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], List.of(nameValues[i + 1]));
    }
    return TrackingQuery.fromParameters(m);
  }

  private void time(TrackingIndex index, String what, int runs, Supplier<TrackingQuery> queries) {
    Histogram h = new Histogram(3);
    long hits = 0;
    for (int i = 0; i < runs + 20; i++) {
      TrackingQuery query = queries.get();
      long q0 = System.nanoTime();
      TrackingPage page = index.search(query);
      long us = (System.nanoTime() - q0) / 1000;
      if (i >= 20) { // the first 20 warm the JIT and the page cache
        h.recordValue(us);
        hits += page.totalHits();
      }
    }
    print(what, h, hits / runs);
  }

  private void print(String what, Histogram h, long meanHits) {
    figure(String.format(Locale.ROOT, "tracking-index search %s ms p50 %.1f p95 %.1f p99 %.1f max %.1f%s", what,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0, meanHits >= 0 ? " (mean total hits " + meanHits + ")" : ""));
  }

  private static long size(Path p) throws IOException {
    try (Stream<Path> files = Files.walk(p)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
