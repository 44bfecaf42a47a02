package io.mailflow.tracking;

import static io.mailflow.tracking.Events.envelope;
import static io.mailflow.tracking.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Get-MessageTrackingLog's filters over a Lucene index with no feed: events added as the feed adds them. */
class TrackingSearchTest {
  @TempDir
  Path dir;
  private TrackingIndex index;
  private long offset;

  private static final Envelope A = envelope("nmid-a", "carol@contoso.test", "<a1@contoso.test>", "Budget 2027");
  private static final Envelope B = envelope("nmid-b", "dave@fabrikam.test", "<b1@fabrikam.test>", "Lunch?");

  @BeforeEach
  void open() throws Exception {
    index = TrackingIndex.local(dir.resolve("tracking-index"), options(true));
    add(event("ex01.contoso.test", 0, A, TrackingSource.SMTP, TrackingEventId.RECEIVE,
        List.of("Alice@Contoso.test", "bob@contoso.test"), List.of()));
    add(event("ex01.contoso.test", 1, A, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER,
        List.of("alice@contoso.test"), List.of("250 2.0.0 OK")));
    add(event("ex02.contoso.test", 2, A, TrackingSource.SMTP, TrackingEventId.FAIL,
        List.of("bob@contoso.test"), List.of("550 5.1.1 unknown")));
    add(event("ex02.contoso.test", 2, B, TrackingSource.SMTP, TrackingEventId.RECEIVE,
        List.of("alice@contoso.test"), List.of()));
    add(event("ex02.contoso.test", 3, B, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER,
        List.of("alice@contoso.test"), List.of("250 2.0.0 OK")));
    add(Events.queueState("ex02.contoso.test", 4, "SmartHost:relay.test", "Retry"));
    index.store().commit(Map.of(0, offset));
    index.store().refresh();
  }

  @AfterEach
  void close() {
    index.close();
  }

  static TrackingIndex.Options options(boolean subjects) {
    return new TrackingIndex.Options(Duration.ofDays(30000), subjects, Duration.ofSeconds(1), 1000,
        Duration.ofMillis(250), Clock.fixed(Events.T0, ZoneOffset.UTC));
  }

  private void add(TrackingEvent e) throws Exception {
    index.store().add(e, Topics.TRACKING.codec().encode(e), TrackingFields.position(0, offset++));
  }

  private List<String> found(String... nameValues) {
    return ids(index.search(query(nameValues)));
  }

  private static TrackingQuery query(String... nameValues) {
    Map<String, List<String>> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
    }
    return TrackingQuery.fromParameters(m, Clock.fixed(Events.T0, ZoneOffset.UTC), ZoneOffset.UTC);
  }

  /** Each event as network-message-id/event-id/seconds after T0. */
  private static List<String> ids(TrackingPage page) {
    return page.events().stream().map(e -> (e.getNetworkMessageId().isEmpty() ? "-" : e.getNetworkMessageId())
        + "/" + e.getEventId() + "/" + (e.getDateTime().getEpochSecond() - Events.T0.getEpochSecond())).toList();
  }

  @Test
  void theWriterMergesSegmentsLessEagerlyThanLucenesDefault() {
    // a commit a second under load: twice the default segments per tier before a merge
    org.apache.lucene.index.TieredMergePolicy merges =
        (org.apache.lucene.index.TieredMergePolicy) TrackingStore.config().getMergePolicy();
    assertEquals(20.0, merges.getSegmentsPerTier());
    assertEquals(2 * new org.apache.lucene.index.TieredMergePolicy().getSegmentsPerTier(), merges.getSegmentsPerTier());
  }

  @Test
  void noFilterReturnsEveryEventOldestFirstTiesInTopicOrder() {
    TrackingPage page = index.search(TrackingQuery.all());
    assertEquals(List.of("nmid-a/RECEIVE/0", "nmid-a/DELIVER/1", "nmid-a/FAIL/2", "nmid-b/RECEIVE/2",
        "nmid-b/DELIVER/3", "-/QUEUESTATE/4"), ids(page));
    assertEquals(6, page.totalHits());
    assertNull(page.next());
  }

  @Test
  void senderIsCaseInsensitive() {
    assertEquals(List.of("nmid-b/RECEIVE/2", "nmid-b/DELIVER/3"), found("Sender", "DAVE@fabrikam.test"));
  }

  @Test
  void recipientsMatchAnyEntryOfAnyEvent() {
    assertEquals(List.of("nmid-a/RECEIVE/0", "nmid-a/FAIL/2"), found("Recipients", "bob@contoso.test"));
    assertEquals(List.of("nmid-a/RECEIVE/0", "nmid-a/DELIVER/1", "nmid-b/RECEIVE/2", "nmid-b/DELIVER/3"),
        found("Recipients", "alice@CONTOSO.test"));
    assertEquals(5, index.search(query("Recipients", "alice@contoso.test,bob@contoso.test")).totalHits());
  }

  @Test
  void messageIdWithOrWithoutBrackets() {
    assertEquals(3, index.search(query("MessageId", "<a1@contoso.test>")).totalHits());
    assertEquals(3, index.search(query("MessageId", "a1@contoso.test")).totalHits());
  }

  @Test
  void networkMessageIdEventIdSourceServer() {
    assertEquals(List.of("nmid-b/RECEIVE/2", "nmid-b/DELIVER/3"), found("NetworkMessageId", "nmid-b"));
    assertEquals(List.of("nmid-a/DELIVER/1", "nmid-b/DELIVER/3"), found("EventId", "Deliver"));
    assertEquals(List.of("nmid-a/DELIVER/1", "nmid-b/DELIVER/3"), found("Source", "STOREDRIVER"));
    assertEquals(List.of("nmid-a/RECEIVE/0", "nmid-a/DELIVER/1"), found("Server", "EX01"));
    assertEquals(List.of("nmid-a/RECEIVE/0", "nmid-a/DELIVER/1"), found("Server", "ex01.contoso.test"));
  }

  @Test
  void queueEventsAreSearchableByEventIdAndSource() {
    assertEquals(List.of("-/QUEUESTATE/4"), found("EventId", "QUEUESTATE"));
    assertEquals(List.of("-/QUEUESTATE/4"), found("Source", "QUEUE"));
  }

  @Test
  void filtersAreAndCombined() {
    assertEquals(List.of("nmid-b/DELIVER/3"), found("Recipients", "alice@contoso.test", "EventId", "DELIVER",
        "Server", "ex02"));
    assertEquals(List.of(), found("Sender", "carol@contoso.test", "NetworkMessageId", "nmid-b"));
  }

  @Test
  void subjectIsAPartCaseInsensitive() {
    assertEquals(3, index.search(query("MessageSubject", "dget 20")).totalHits());
    assertEquals(2, index.search(query("MessageSubject", "LUNCH?")).totalHits());
    assertEquals(0, index.search(query("MessageSubject", "lunch*")).totalHits(), "* is a character, not a wildcard");
  }

  @Test
  void timeWindowEndIsExclusive() {
    assertEquals(List.of("nmid-a/DELIVER/1", "nmid-a/FAIL/2", "nmid-b/RECEIVE/2"),
        found("Start", "2026-12-07T10:00:01Z", "End", "2026-12-07T10:00:03Z"));
  }

  @Test
  void pagesFollowTheCursorToTheEnd() {
    TrackingQuery q = TrackingQuery.all().withResultSize(2);
    List<String> all = new ArrayList<>();
    TrackingPage page = index.search(q);
    int pages = 1;
    all.addAll(ids(page));
    while (page.next() != null) {
      assertEquals(6, page.totalHits(), "the total is over every page");
      page = index.search(q.withCursor(page.next()));
      all.addAll(ids(page));
      pages++;
    }
    assertEquals(3, pages);
    assertEquals(ids(index.search(TrackingQuery.all())), all);
  }

  @Test
  void resultSizeLimitsAPage() {
    TrackingPage page = index.search(query("ResultSize", "4"));
    assertEquals(4, page.events().size());
    assertNotNull(page.next());
    assertEquals(6, index.search(query("ResultSize", "Unlimited")).events().size());
  }

  @Test
  void unlimitedReturnsMoreThanOneChunkInOrder(@TempDir Path other) throws Exception {
    try (TrackingIndex big = TrackingIndex.local(other.resolve("idx"), options(true))) {
      int n = 12_345;
      for (int i = 0; i < n; i++) {
        TrackingEvent e = event("ex01", i / 3, A, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of("x@y.test"),
            List.of());
        big.store().add(e, Topics.TRACKING.codec().encode(e), TrackingFields.position(i % 2, i));
      }
      big.store().refresh();
      TrackingPage page = big.search(query("ResultSize", "Unlimited"));
      assertEquals(n, page.events().size());
      assertEquals(n, page.totalHits());
      assertNull(page.next());
      for (int i = 1; i < n; i++) {
        org.junit.jupiter.api.Assertions.assertFalse(
            page.events().get(i).getDateTime().isBefore(page.events().get(i - 1).getDateTime()), "at " + i);
      }
      TrackingPage first = big.search(query("ResultSize", "10001"));
      assertEquals(10_001, first.events().size());
      TrackingPage rest = big.search(query("ResultSize", "Unlimited").withCursor(first.next()));
      assertEquals(n - 10_001, rest.events().size());
    }
  }

  @Test
  void theTrackingEventComesBackWhole() {
    TrackingEvent e = index.search(query("EventId", "FAIL")).events().get(0);
    assertEquals(List.of("550 5.1.1 unknown"), e.getRecipientStatus());
    assertEquals("Budget 2027", e.getMessageSubject());
    assertEquals("<a1@contoso.test>", e.getMessageId());
  }

  @Test
  void retentionDeletesEventsOlderThanMaxAge() throws Exception {
    index.store().deleteOlderThan(Events.T0.plusSeconds(2));
    index.store().refresh();
    assertEquals(List.of("nmid-a/FAIL/2", "nmid-b/RECEIVE/2", "nmid-b/DELIVER/3", "-/QUEUESTATE/4"),
        ids(index.search(TrackingQuery.all())));
  }

  @Test
  void withSubjectLoggingOffSubjectsAreNeitherIndexedNorReturned(@TempDir Path other) throws Exception {
    try (TrackingIndex quiet = TrackingIndex.local(other.resolve("idx"), options(false))) {
      TrackingEvent e = event("ex01", 0, A, TrackingSource.SMTP, TrackingEventId.RECEIVE, List.of("x@y.test"),
          List.of());
      quiet.store().add(e, Topics.TRACKING.codec().encode(e), 0);
      quiet.store().refresh();
      assertNull(quiet.search(TrackingQuery.all()).events().get(0).getMessageSubject());
      assertEquals(0, quiet.search(query("MessageSubject", "budget")).totalHits());
    }
  }

  @Test
  void reportOfAnUnknownMessageNamesTheId() {
    NoSuchMessageException e = assertThrows(NoSuchMessageException.class, () -> index.report("<nobody@x.test>"));
    assertEquals("<nobody@x.test>", e.id());
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'<nobody@x.test>'"), e.getMessage());
  }

  @Test
  void reportByMessageIdOrNetworkMessageIdIsTheSame() {
    assertEquals(index.report("nmid-a"), index.report("<a1@contoso.test>"));
    assertEquals(List.of("nmid-a"), index.report("a1@contoso.test").networkMessageIds());
  }

  @Test
  void theSameDirectoryOpenedTwiceInOneProcessIsAMistakeNotCorruption() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TrackingIndex.local(dir.resolve("tracking-index"), options(true)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().endsWith("is already open in this process; open it"
        + " once and share it"), e.getMessage());
    assertEquals(6, index.search(TrackingQuery.all()).totalHits(), "the open index was left alone");
  }

  @Test
  void statusCountsEvents() {
    assertEquals(6, index.status().eventsIndexed());
  }
}
