package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.BodyReference;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BodyUploadTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close();
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void referenceListsEveryChunkWithItsOffsetAndTheHashOfTheChunksOnly() throws Exception {
    AtomicLong next = new AtomicLong(40);
    BodyUpload upload = new BodyUpload(c -> CompletableFuture.completedFuture(
        new BodyStore.ChunkPosition(2, next.getAndIncrement())), vertx.getOrCreateContext(), "body-1");
    await(upload.write("abc".getBytes(StandardCharsets.US_ASCII)));
    await(upload.write("def".getBytes(StandardCharsets.US_ASCII)));
    await(upload.finish());
    BodyReference ref = upload.reference("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 6);
    assertEquals("body-1", ref.getBodyId());
    assertEquals(2, ref.getChunkCount());
    assertEquals(2, ref.getPartition());
    assertEquals(java.util.List.of(40L, 41L), ref.getOffsets());
    assertEquals(14 + 6, ref.getSize());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("abcdef".getBytes(StandardCharsets.US_ASCII))), ref.getSha256());
  }

  @Test
  void chunksOnDifferentPartitionsFailTheFinishNamingTheBody() throws Exception {
    AtomicLong next = new AtomicLong();
    BodyUpload upload = new BodyUpload(c -> CompletableFuture.completedFuture(
        new BodyStore.ChunkPosition((int) next.get(), next.getAndIncrement())), vertx.getOrCreateContext(), "body-2");
    await(upload.write(new byte[] {1}));
    await(upload.write(new byte[] {2}));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(upload.finish()));
    assertTrue(e.getCause().getMessage().contains("chunk 1 of body body-2 is on partition 1, earlier chunks on 0"),
        e.getCause().getMessage());
  }

  @Test
  void noWriteAfterDiscard() {
    BodyUpload upload = new BodyUpload(c -> CompletableFuture.completedFuture(
        new BodyStore.ChunkPosition(0, 0)), vertx.getOrCreateContext(), "body-3");
    upload.discard();
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(upload.write(new byte[] {1})));
    assertTrue(e.getCause().getMessage().contains("body body-3 is discarded"), e.getCause().getMessage());
  }

  @Test
  void referenceBeforeFinishIsAnError() {
    BodyUpload upload = new BodyUpload(c -> new CompletableFuture<>(), vertx.getOrCreateContext(), "body-4");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> upload.reference(new byte[0], 0));
    assertEquals("body body-4 is not finished", e.getMessage());
  }
}
