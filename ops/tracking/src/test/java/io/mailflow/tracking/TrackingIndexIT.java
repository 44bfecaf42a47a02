package io.mailflow.tracking;

import static io.mailflow.tracking.Events.envelope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index fed from mail.tracking.v1 on the embedded broker: written with TopicPublisher, found by searches. */
class TrackingIndexIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static String bootstrap;
  private static TopicPublisher publisher;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    publisher = TopicPublisher.create(bootstrap, "tracking-index-it");
  }

  @AfterAll
  static void stop() {
    publisher.close();
  }

  private static TrackingIndex.Options options() {
    return TrackingIndex.Options.defaults().withClock(Clock.systemUTC());
  }

  /** A message's RECEIVE and DELIVER, now, as the edge and delivery write them; returns its network message id. */
  private static String writeMessage(String recipient) {
    String nmid = UUID.randomUUID().toString();
    Envelope env = envelope(nmid, "carol@contoso.test", "<" + nmid + "@contoso.test>", "IT " + nmid);
    Tracking ex01 = Tracking.of("ex01.contoso.test");
    publish(ex01.about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of(recipient), List.of()).build());
    publish(ex01.about(env, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, List.of(recipient),
        List.of("250 2.0.0 OK")).build());
    return nmid;
  }

  private static void publish(TrackingEvent e) {
    publisher.sendAndWait(Topics.TRACKING, e.getNetworkMessageId(), e, WAIT);
  }

  private static long count(TrackingIndex index, String nmid) {
    return index.search(TrackingQuery.fromParameters(Map.of("NetworkMessageId", List.of(nmid)))).totalHits();
  }

  @Test
  void eventsWrittenToTheTopicAreFoundBySearchAndReport() {
    String recipient = "it-" + UUID.randomUUID() + "@contoso.test";
    String nmid = writeMessage(recipient);
    try (TrackingIndex index = TrackingIndex.open(dir.resolve("tracking-index"), bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT), "caught up: " + index.status());
      TrackingPage page = index.search(TrackingQuery.fromParameters(Map.of("Recipients", List.of(recipient))));
      assertEquals(List.of("RECEIVE", "DELIVER"), page.events().stream().map(TrackingEvent::getEventId).toList());
      DeliveryReport report = index.report("<" + nmid + "@contoso.test>");
      assertEquals(DeliveryStatus.DELIVERED, report.recipients().get(0).status());
      IndexStatus status = index.status();
      assertEquals(2, status.positions().size(), "both partitions: " + status);
      assertTrue(status.eventsIndexed() >= 2, status.toString());
      assertFalse(status.rebuilding(), status.toString());

      // events written while it runs are seen within a refresh
      String later = writeMessage(recipient);
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(2, count(index, later));
    }
  }

  @Test
  void aCommitAlsoMakesWhatItCommittedSearchable() {
    // refreshes alone would come only after an hour: the commit's own refresh is what makes the events visible,
    // to this index's searches and to a read-only reader of the directory (the CLI) alike
    TrackingIndex.Options commitsOnly = new TrackingIndex.Options(TrackingIndex.Options.DEFAULT_MAX_AGE, true,
        Duration.ofMillis(200), TrackingIndex.Options.DEFAULT_COMMIT_EVENTS, Duration.ofHours(1), Clock.systemUTC());
    Path path = dir.resolve("tracking-index");
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, commitsOnly)) {
      String nmid = writeMessage("commit-refresh@contoso.test");
      Awaitility.await("searchable after a commit").atMost(WAIT).until(() -> count(index, nmid) == 2);
      try (TrackingIndex reader = TrackingIndex.openReadOnly(path, commitsOnly)) {
        assertEquals(2, count(reader, nmid), "committed");
      }
    }
  }

  @Test
  void anUndecodableRecordIsSkippedAndCountedAndIndexingGoesOn() {
    publisher.sendRawAndWait(Topics.TRACKING.name(), "poison", "not avro at all".getBytes(), WAIT);
    String nmid = writeMessage("after-poison@contoso.test");
    try (TrackingIndex index = TrackingIndex.open(dir.resolve("tracking-index"), bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT), "caught up: " + index.status());
      assertTrue(index.status().undecodable() >= 1, index.status().toString());
      assertEquals(2, count(index, nmid));
    }
  }

  @Test
  void aRestartResumesWhereTheLastCommitLeftOff() {
    String first = writeMessage("restart@contoso.test");
    Path path = dir.resolve("tracking-index");
    long events;
    Map<Integer, Long> positions;
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT));
      events = index.status().eventsIndexed();
      positions = index.status().positions();
    }
    String second = writeMessage("restart@contoso.test");
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertFalse(index.rebuiltAtOpen());
      assertEquals(positions, index.store().committedPositions(), "the positions the close committed");
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(2, count(index, first), "not indexed twice");
      assertEquals(2, count(index, second));
      assertTrue(index.status().eventsIndexed() >= events + 2);
    }
  }

  @Test
  void aDeletedIndexIsRebuiltFromTheTopic() throws IOException {
    String nmid = writeMessage("deleted@contoso.test");
    Path path = dir.resolve("tracking-index");
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT));
    }
    deleteTree(path);
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.rebuiltAtOpen());
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(2, count(index, nmid));
    }
  }

  @Test
  void aCorruptIndexIsMovedAsideAndRebuiltFromTheTopic() throws IOException {
    String nmid = writeMessage("corrupt@contoso.test");
    Path path = dir.resolve("tracking-index");
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT));
    }
    Path segment;
    try (Stream<Path> files = Files.list(path)) {
      segment = files.filter(p -> p.getFileName().toString().matches(".*\\.(cfs|fdt)$"))
          .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() / 2); // truncated, as a full disk or a crash in a copy leaves it
    }
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.rebuiltAtOpen(), "the truncated " + segment.getFileName() + " was noticed");
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(2, count(index, nmid));
    }
    try (Stream<Path> siblings = Files.list(dir)) {
      assertEquals(1, siblings.filter(p -> p.getFileName().toString().startsWith("tracking-index.corrupt-")).count(),
          "moved aside, not deleted");
    }
  }

  @Test
  void anOverwrittenSegmentHeaderIsMovedAsideAndRebuilt() throws IOException {
    String nmid = writeMessage("overwritten@contoso.test");
    Path path = dir.resolve("tracking-index");
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT));
    }
    try (Stream<Path> files = Files.list(path)) {
      for (Path p : files.filter(p -> p.getFileName().toString().matches(".*\\.(cfs|si)$")).toList()) {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
          f.write(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}); // the codec header is gone
        }
      }
    }
    try (TrackingIndex index = TrackingIndex.open(path, bootstrap, options())) {
      assertTrue(index.rebuiltAtOpen());
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(2, count(index, nmid));
    }
  }

  @Test
  void eventsOlderThanMaxAgeAreNotIndexed() {
    String nmid = UUID.randomUUID().toString();
    Envelope env = envelope(nmid, "carol@contoso.test", "<" + nmid + "@x.test>", "old");
    Tracking longAgo = new Tracking("ex01", Clock.fixed(Instant.now().minus(Duration.ofDays(40)), ZoneOffset.UTC));
    publish(longAgo.about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of("a@b.test"), List.of()).build());
    try (TrackingIndex index = TrackingIndex.open(dir.resolve("tracking-index"), bootstrap, options())) {
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(0, count(index, nmid), "40 days old, MessageTrackingLogMaxAge 30 days");
    }
  }

  @Test
  void theIndexFollowsMessageTrackingLogMaxAgeAsTimePasses() {
    Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String nmid = UUID.randomUUID().toString();
    Envelope env = envelope(nmid, "carol@contoso.test", "<" + nmid + "@x.test>", "ageing");
    publish(new Tracking("ex01", Clock.fixed(t, ZoneOffset.UTC))
        .about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of("a@b.test"), List.of()).build());
    AtomicReference<Instant> now = new AtomicReference<>(t.plus(Duration.ofMinutes(1)));
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    TrackingIndex.Options oneHour = TrackingIndex.Options.of(Duration.ofHours(1), true).withClock(clock);
    try (TrackingIndex index = TrackingIndex.open(dir.resolve("tracking-index"), bootstrap, oneHour,
        Duration.ofMillis(100))) {
      assertTrue(index.awaitCaughtUp(WAIT));
      assertEquals(1, count(index, nmid), "a minute old");
      now.set(t.plus(Duration.ofMinutes(61)));
      Awaitility.await().atMost(WAIT).until(() -> count(index, nmid) == 0);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
