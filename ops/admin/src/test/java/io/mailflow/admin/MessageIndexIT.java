package io.mailflow.admin;

import static io.mailflow.admin.QueuedCopies.item;
import static io.mailflow.admin.QueuedCopies.queue;
import static io.mailflow.admin.QueuedCopies.write;
import static io.mailflow.admin.QueuedCopies.writeAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The index against the embedded broker, with no delivery stage: copies written straight to mail.delivery.v1 and the
 * delay topics, and the groups' offsets committed as the stages would commit them.
 */
class MessageIndexIT {
  private static String bootstrap;
  private static MessageIndex index;

  @BeforeAll
  static void start() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    index = MessageIndex.start(bootstrap, "message-index-it", Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    index.close();
  }

  private static List<MessageIndex.Copy> queued(MessageIndex.Snapshot s, String queue) {
    return s.copies().stream().filter(c -> c.queue().equals(queue)).toList();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  @Test
  void aBacklogNoDeliveryStageHasReadIsCounted() {
    String queue = queue();
    Instant now = Instant.now();
    for (int i = 0; i < 5; i++) {
      write(bootstrap, Topics.DELIVERY, queue, item(queue, id(), "carol@fabrikam.test", now, 0, "bob@peer.test"));
    }
    MessageIndex.Snapshot s = index.snapshot();
    assertEquals(5, queued(s, queue).size(), "every unread copy, got " + queued(s, queue));
    QueueView.Row row = QueueView.row(QueueView.rows(s), queue);
    assertEquals(5, row.messageCount());
    assertEquals("Ready", row.status());
    assertEquals("*", row.server(), "no server reported it yet");
    assertTrue(row.incomingRate() > 0, "5 entered within the last minute: " + row.incomingRate());
    queued(s, queue).forEach(c -> assertEquals("Ready", s.status(c)));
  }

  @Test
  void copiesOnDelayTopicsPastTheRetryGroupsCommitAreCountedAsRetry() {
    String queue = queue();
    String done = id();
    String waiting = id();
    RecordMetadata forwarded = write(bootstrap, Topics.RETRY_5M, queue,
        item(queue, done, "carol@fabrikam.test", Instant.now(), 1, "bob@peer.test"));
    // the forwarder moved the first one on (its forward was delivered long ago): committed past it
    QueuedCopies.commitPast(bootstrap, MessageIndex.RETRY_GROUP, forwarded);
    write(bootstrap, Topics.RETRY_5M, queue, item(queue, waiting, "carol@fabrikam.test", Instant.now(), 2,
        "bob@peer.test"));
    MessageIndex.Snapshot s = index.snapshot();
    List<MessageIndex.Copy> copies = queued(s, queue);
    assertEquals(1, copies.size(), "got " + copies);
    assertEquals(waiting, copies.get(0).id());
    assertEquals("Retry", s.status(copies.get(0)));
    assertEquals(2, copies.get(0).attempt());
    assertEquals(Topics.RETRY_5M.name(), copies.get(0).topic());
  }

  @Test
  void aProcessedCopyLeavesAndIsRememberedAsLeft() {
    String queue = queue();
    String delivered = id();
    RecordMetadata record = write(bootstrap, Topics.DELIVERY, queue,
        item(queue, delivered, "carol@fabrikam.test", Instant.now(), 0, "bob@peer.test"));
    assertEquals(1, queued(index.snapshot(), queue).size());
    QueuedCopies.commitPast(bootstrap, MessageIndex.DELIVERY_GROUP, record); // delivery processed it
    MessageIndex.Snapshot s = index.snapshot();
    assertEquals(List.of(), queued(s, queue), "a processed copy is no longer queued");
    assertNotNull(s.whenLeft(delivered), "remembered as having left");
    assertEquals(0, QueueView.row(QueueView.rows(s), queue) == null ? 0
        : QueueView.row(QueueView.rows(s), queue).messageCount());
    assertTrue(s.left().getOrDefault(queue, 0) == 1, "it counts in the outgoing rate: " + s.left());
  }

  @Test
  void theNewestRecordAcrossTopicsStandsForTheCopy() {
    String queue = queue();
    String copy = id();
    Instant t = Instant.now().minusSeconds(30);
    RecordMetadata first = writeAt(bootstrap, Topics.DELIVERY, queue,
        item(queue, copy, "carol@fabrikam.test", t, 0, "bob@peer.test"), t);
    // deferred: the delay record is newer; delivery committed past the first record
    writeAt(bootstrap, Topics.RETRY_1M, queue, item(queue, copy, "carol@fabrikam.test", t, 1, "bob@peer.test"),
        t.plusSeconds(1));
    QueuedCopies.commitPast(bootstrap, MessageIndex.DELIVERY_GROUP, first);
    MessageIndex.Snapshot s = index.snapshot();
    MessageIndex.Copy c = s.copy(copy);
    assertNotNull(c, "the delay record keeps it queued though the delivery record was processed");
    assertEquals(Topics.RETRY_1M.name(), c.topic());
    assertEquals("Retry", s.status(c));

    // an older record read later (a stale duplicate) does not take its place
    writeAt(bootstrap, Topics.DELIVERY, queue, item(queue, copy, "carol@fabrikam.test", t, 0, "bob@peer.test"),
        t.minusSeconds(5));
    assertEquals(Topics.RETRY_1M.name(), index.snapshot().copy(copy).topic());

    // a tie on timestamp and attempt: the delay-topic record wins
    writeAt(bootstrap, Topics.DELIVERY, queue, item(queue, copy, "carol@fabrikam.test", t, 1, "bob@peer.test"),
        t.plusSeconds(1));
    assertEquals(Topics.RETRY_1M.name(), index.snapshot().copy(copy).topic());

    // forwarded back when due: the newer delivery record stands, Ready
    RecordMetadata back = writeAt(bootstrap, Topics.DELIVERY, queue,
        item(queue, copy, "carol@fabrikam.test", t, 1, "bob@peer.test"), t.plusSeconds(20));
    s = index.snapshot();
    assertEquals(Topics.DELIVERY.name(), s.copy(copy).topic());
    assertEquals(back.offset(), s.copy(copy).offset());
    assertEquals("Ready", s.status(s.copy(copy)));

    // delivered: gone, and its older delay record read again cannot bring it back
    QueuedCopies.commitPast(bootstrap, MessageIndex.DELIVERY_GROUP, back);
    assertNull(index.snapshot().copy(copy));
    writeAt(bootstrap, Topics.RETRY_1M, queue, item(queue, copy, "carol@fabrikam.test", t, 1, "bob@peer.test"),
        t.plusSeconds(1));
    assertNull(index.snapshot().copy(copy), "an older record does not resurrect a copy that left");
  }

  @Test
  void aNewIndexStartsAtTheCommittedOffsetsAndCatchesUp() {
    String queue = queue();
    write(bootstrap, Topics.DELIVERY, queue, item(queue, id(), "carol@fabrikam.test", Instant.now(), 0,
        "bob@peer.test"));
    try (MessageIndex fresh = MessageIndex.start(bootstrap, "message-index-it-fresh", Duration.ofSeconds(20))) {
      assertEquals(1, queued(fresh.snapshot(), queue).size());
    }
  }
}
