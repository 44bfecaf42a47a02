package io.mailflow.delivery.agent.body;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chunk reader against the embedded broker: checks, and how each kind of trouble is classed. */
class BodyChunksIT {

  private static String bootstrap;
  private static TopicPublisher publisher;
  private static BodyChunks chunks;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    publisher = TopicPublisher.create(bootstrap, "body-chunks-it");
    chunks = BodyChunks.start(bootstrap, "body-chunks-it", Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    if (chunks != null) {
      chunks.close();
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  /** Two chunks under a fresh body id; the reference without digest. */
  private static BodyReference twoChunks() throws Exception {
    String bodyId = UUID.randomUUID().toString();
    List<Long> offsets = new ArrayList<>();
    int partition = -1;
    for (int i = 0; i < 2; i++) {
      RecordMetadata m = publisher.send(Topics.BODIES, bodyId,
          new BodyChunk(bodyId, i, ByteBuffer.wrap(("chunk " + i + "\r\n").getBytes(US_ASCII))))
          .get(30, TimeUnit.SECONDS);
      partition = m.partition();
      offsets.add(m.offset());
    }
    return BodyReference.newBuilder().setBodyId(bodyId).setChunkCount(2).setSize(16).setPartition(partition)
        .setOffsets(offsets).build();
  }

  private static BodyUnavailableException failure(CompletableFuture<BodyChunk> read) throws Exception {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> read.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(BodyUnavailableException.class, e.getCause());
  }

  @Test
  void readsEachChunkAtItsOffset() throws Exception {
    BodyReference ref = twoChunks();
    BodyChunk second = chunks.read(ref, 1, "nmid-1").get(30, TimeUnit.SECONDS);
    assertEquals(1, second.getIndex());
    byte[] data = new byte[second.getData().remaining()];
    second.getData().duplicate().get(data);
    assertArrayEquals("chunk 1\r\n".getBytes(US_ASCII), data);
    assertEquals(0, chunks.read(ref, 0, "nmid-1").get(30, TimeUnit.SECONDS).getIndex());
  }

  @Test
  void aRecordOfAnotherBodyOrIndexIsAPermanentMismatch() throws Exception {
    BodyReference ref = twoChunks();
    BodyReference other = BodyReference.newBuilder(ref).setBodyId("someone-else").build();
    BodyUnavailableException e = failure(chunks.read(other, 0, "nmid-2"));
    assertTrue(e.permanent());
    assertEquals("body someone-else chunk 0 at " + Topics.BODIES.name() + "-" + ref.getPartition() + "@"
        + ref.getOffsets().get(0) + " (network message id nmid-2): the record there belongs to body "
        + ref.getBodyId(), e.getMessage());
    BodyReference swapped = BodyReference.newBuilder(ref)
        .setOffsets(List.of(ref.getOffsets().get(1), ref.getOffsets().get(0))).build();
    BodyUnavailableException index = failure(chunks.read(swapped, 0, "nmid-2"));
    assertTrue(index.permanent() && index.getMessage().endsWith("the record there is chunk 1"), index.getMessage());
    assertTrue(failure(chunks.read(ref, 2, "nmid-2")).getMessage().contains("has no offset for chunk 2"));
  }

  @Test
  void aChunkRemovedByRetentionIsPermanentNotAnotherRecord() throws Exception {
    BodyReference ref = twoChunks();
    // Read past both chunks first. Otherwise the consumer's background fetch at the end of the log (where
    // the chunks were just written) can answer with them before deleteRecords ran; retention in real life
    // removes the oldest records, never the ones a reader was just fetching at the end.
    assertEquals(1, chunks.read(ref, 1, "nmid-3").get(30, TimeUnit.SECONDS).getIndex());
    TopicPartition partition = new TopicPartition(Topics.BODIES.name(), ref.getPartition());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(ref.getOffsets().get(1))))
          .all().get(30, TimeUnit.SECONDS);
    }
    BodyUnavailableException e = failure(chunks.read(ref, 0, "nmid-3"));
    assertTrue(e.permanent(), e.getMessage());
    assertTrue(e.getMessage().contains("@" + ref.getOffsets().get(0) + " (network message id nmid-3): offset out"
        + " of range"), e.getMessage());
    assertEquals(1, chunks.read(ref, 1, "nmid-3").get(30, TimeUnit.SECONDS).getIndex(), "the reader goes on");
  }

  @Test
  void anUnreachableBrokerIsTransient() throws Exception {
    BodyReference ref = BodyReference.newBuilder().setBodyId("b").setChunkCount(1).setSize(1).setPartition(0)
        .setOffsets(List.of(0L)).build();
    try (BodyChunks nowhere = BodyChunks.start("127.0.0.1:" + ScriptedSmtpServer.closedPort(), "body-chunks-it-down",
        Duration.ofSeconds(1))) {
      BodyUnavailableException e = failure(nowhere.read(ref, 0, "nmid-4"));
      assertFalse(e.permanent(), e.getMessage());
      assertTrue(e.getMessage().startsWith("body b chunk 0 at " + Topics.BODIES.name() + "-0@0 (network message id"
          + " nmid-4): "), e.getMessage());
    }
  }
}
