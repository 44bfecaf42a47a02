package io.mailflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real embedded brokers, one per site as in ops/demo/two-sites: a message from EX01 (site A, cluster A) to
 * bob on EX02 (site B, cluster B) has events on both under one network message id. The federated search gives one
 * delivery report with both servers' events, merges pages by time across clusters, and lists a stopped cluster as
 * unreachable while still answering from what its index took.
 */
class FederatedTrackingSearchIT {
  @TempDir
  Path work;

  @Test
  void oneReportSpansBothClustersAndAStoppedClusterIsListedUnreachable() throws Exception {
    EmbeddedKafka a = EmbeddedKafka.start(work.resolve("kafka-a"), 0);
    EmbeddedKafka b = EmbeddedKafka.start(work.resolve("kafka-b"), 0);
    FederatedTrackingSearch search = null;
    try {
      TopicProvisioner.ensureTopics(a.bootstrapServers(), 2, (short) 1, Duration.ofSeconds(30));
      TopicProvisioner.ensureTopics(b.bootstrapServers(), 2, (short) 1, Duration.ofSeconds(30));
      Instant t0 = Instant.now().minusSeconds(60);
      Envelope env = Envelope.newBuilder().setNetworkMessageId("nmid-fed-1").setSender("alice@contoso.test")
          .setMessageIdHeader("<fed1@contoso.test>").setSubject("Across sites").setSize(1024).setReceivedAt(t0)
          .setReceivingServer("EX01").setSessionId("s1").setClientIp("127.0.0.1")
          .setReceiveConnector("Default Frontend EX01").setClientHostname("client.test").build();
      List<String> bob = List.of("bob@contoso.test");
      write(a.bootstrapServers(), List.of(
          at("EX01", t0, 0).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, bob, List.of()).build(),
          at("EX01", t0, 1).about(env, TrackingSource.SMTP, TrackingEventId.SEND, bob,
              List.of("250 2.6.0 Queued mail for delivery")).build()));
      write(b.bootstrapServers(), List.of(
          at("EX02", t0, 2).about(env, TrackingSource.SMTP, TrackingEventId.RECEIVE, bob, List.of()).build(),
          at("EX02", t0, 3).about(env, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER, bob,
              List.of("250 2.0.0 OK")).build()));

      String nameA = "EX01 at " + a.bootstrapServers();
      String nameB = "EX02 at " + b.bootstrapServers();
      search = FederatedTrackingSearch.open(work.resolve("tracking-index"), List.of(
          new FederatedTrackingSearch.Cluster(nameA, a.bootstrapServers()),
          new FederatedTrackingSearch.Cluster(nameB, b.bootstrapServers())), TrackingIndex.Options.defaults());
      assertTrue(search.awaitCaughtUp(Duration.ofSeconds(60)), "both indexes caught up");

      FederatedTrackingSearch.Answer<DeliveryReport> report = search.report("nmid-fed-1");
      assertEquals(List.of(), report.unreachable());
      DeliveryReport r = report.value();
      assertEquals(1, r.recipients().size(), r.toString());
      DeliveryReport.Recipient line = r.recipients().get(0);
      assertEquals("bob@contoso.test", line.address());
      assertEquals(DeliveryStatus.DELIVERED, line.status(), r.toString());
      Set<String> servers = new java.util.HashSet<>();
      line.events().forEach(e -> servers.add(e.server()));
      r.messageEvents().forEach(e -> servers.add(e.server()));
      assertEquals(Set.of("EX01", "EX02"), servers, "events of both servers: " + r);
      assertTrue(line.events().stream().anyMatch(e -> e.eventId().equals("DELIVER") && e.server().equals("EX02")));
      assertEquals(r, search.report("<fed1@contoso.test>").value(), "by Message-ID too");

      // a search merges both clusters by time; paging one event at a time walks the same list
      TrackingQuery bySender = TrackingQuery.fromParameters(java.util.Map.of("Sender", List.of("alice@contoso.test")));
      FederatedTrackingSearch.Answer<TrackingPage> all = search.search(bySender, null);
      assertEquals(List.of("EX01 RECEIVE", "EX01 SEND", "EX02 RECEIVE", "EX02 DELIVER"), names(all.value().events()));
      assertEquals(4, all.value().totalHits());
      assertNull(all.value().next());
      List<TrackingEvent> paged = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        TrackingPage page = search.search(bySender.withResultSize(1), cursor).value();
        assertEquals(4, page.totalHits(), "the total of every page");
        paged.addAll(page.events());
        cursor = page.next();
        pages++;
      } while (cursor != null && pages < 10);
      assertEquals(names(all.value().events()), names(paged));
      assertEquals(4, pages);
      FederatedTrackingSearch s = search;
      TrackingQueryException bad = assertThrows(TrackingQueryException.class, () -> s.search(bySender, "bm90IG1pbmU"));
      assertEquals("Cursor", bad.parameter());

      // the CLI beside a running node: the same indexes read-only (no write lock), as of the node's last commit
      Path root = work.resolve("tracking-index");
      assertEquals(List.of(nameA, nameB), FederatedTrackingSearch.manifest(root).stream()
          .map(FederatedTrackingSearch.Cluster::name).toList());
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        try (FederatedTrackingSearch reader = FederatedTrackingSearch.openReadOnly(root,
            FederatedTrackingSearch.manifest(root), TrackingIndex.Options.defaults())) {
          return reader.search(bySender, null).value().events().size() == 4;
        }
      });
      assertEquals(4, search.search(bySender, null).value().events().size(), "the node's index goes on");

      // site B's broker goes away: its events indexed before still answer, and it is named
      b.close();
      FederatedTrackingSearch stopped = search;
      // the probe asks every ClusterProbe.EVERY (5 s): the stopped cluster is named once it did not answer
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> stopped.report("nmid-fed-1").unreachable().equals(List.of(nameB)));
      FederatedTrackingSearch.Answer<DeliveryReport> partial = search.report("nmid-fed-1");
      assertEquals(List.of(nameB), partial.unreachable());
      assertEquals(DeliveryStatus.DELIVERED, partial.value().recipients().get(0).status());
      FederatedTrackingSearch.Answer<TrackingPage> still = search.search(bySender, null);
      assertEquals(List.of(nameB), still.unreachable());
      assertEquals(4, still.value().events().size());
    } finally {
      if (search != null) {
        search.close();
      }
      b.close();
      a.close();
    }
  }

  private static Tracking at(String server, Instant t0, long seconds) {
    return new Tracking(server, Clock.fixed(t0.plusSeconds(seconds), ZoneOffset.UTC));
  }

  private static void write(String bootstrap, List<TrackingEvent> events) throws Exception {
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "federated-it")) {
      for (TrackingEvent e : events) {
        publisher.track(e).get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> names(List<TrackingEvent> events) {
    return events.stream().map(e -> e.getServerHostname() + " " + e.getEventId()).collect(Collectors.toList());
  }

  @Test
  void anotherSitesClusterThatDoesNotResolveIsNamedNotFatal() throws Exception {
    EmbeddedKafka a = EmbeddedKafka.start(work.resolve("kafka-a"), 0);
    try {
      TopicProvisioner.ensureTopics(a.bootstrapServers(), 2, (short) 1, Duration.ofSeconds(30));
      try (FederatedTrackingSearch search = FederatedTrackingSearch.open(work.resolve("tracking-index"), List.of(
          new FederatedTrackingSearch.Cluster("EX01 at " + a.bootstrapServers(), a.bootstrapServers()),
          new FederatedTrackingSearch.Cluster("EX02 at ex02.invalid:9092", "ex02.invalid:9092")),
          TrackingIndex.Options.defaults())) {
        FederatedTrackingSearch.Answer<TrackingPage> page = search.search(TrackingQuery.all(), null);
        assertEquals(List.of("EX02 at ex02.invalid:9092"), page.unreachable());
        assertNotNull(page.value());
      }
    } finally {
      a.close();
    }
  }
}
