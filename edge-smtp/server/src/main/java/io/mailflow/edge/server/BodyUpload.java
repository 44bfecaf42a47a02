package io.mailflow.edge.server;

import io.mailflow.edge.protocol.BodySpill;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.vertx.core.Context;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * BodyUpload - the chunks of one message that outgrew the inline limit, on their way to the
 * {@link BodyStore} under a fresh body id; once finished it gives the {@link BodyReference} the
 * envelope carries (partition, offsets, SHA-256 over the chunks' data in order).
 *
 * <p>Called on the session's Vert.x context; the stages it returns complete back on it.
 */
final class BodyUpload implements BodySpill {
  private final BodyStore store;
  private final Context context;
  private final String bodyId;
  private final MessageDigest sha256;
  private final List<CompletableFuture<BodyStore.ChunkPosition>> chunks = new ArrayList<>();
  private boolean discarded;
  private int partition = -1;
  private List<Long> offsets;
  private String digest;

  BodyUpload(BodyStore store, Context context) {
    this(store, context, UUID.randomUUID().toString());
  }

  BodyUpload(BodyStore store, Context context, String bodyId) {
    this.store = store;
    this.context = context;
    this.bodyId = bodyId;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  String bodyId() {
    return bodyId;
  }

  @Override
  public CompletionStage<Void> write(byte[] chunk) {
    if (discarded || digest != null) {
      return CompletableFuture.failedFuture(new IllegalStateException("body " + bodyId + " is "
          + (discarded ? "discarded" : "finished") + ": no more chunks"));
    }
    sha256.update(chunk);
    BodyChunk record = new BodyChunk(bodyId, chunks.size(), ByteBuffer.wrap(chunk));
    CompletableFuture<BodyStore.ChunkPosition> stored;
    try {
      stored = store.store(record).toCompletableFuture();
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    chunks.add(stored);
    return onContext(stored.thenApply(p -> null));
  }

  @Override
  public CompletionStage<Void> finish() {
    CompletableFuture<Void> all = CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
        .thenRun(() -> {
          List<Long> at = new ArrayList<>(chunks.size());
          int where = -1;
          for (int i = 0; i < chunks.size(); i++) {
            BodyStore.ChunkPosition p = chunks.get(i).join();
            if (where >= 0 && p.partition() != where) {
              throw new IllegalStateException("chunk " + i + " of body " + bodyId + " is on partition "
                  + p.partition() + ", earlier chunks on " + where);
            }
            where = p.partition();
            at.add(p.offset());
          }
          partition = where;
          offsets = at;
        });
    digest = HexFormat.of().formatHex(sha256.digest());
    return onContext(all);
  }

  @Override
  public void discard() {
    discarded = true; // Kafka has no delete: chunks already written stay until retention removes them
  }

  /** The claim check for the message whose header section (as queued) is {@code head}; after {@link #finish()}. */
  BodyReference reference(byte[] head, long chunkOctets) {
    if (offsets == null) {
      throw new IllegalStateException("body " + bodyId + " is not finished");
    }
    return BodyReference.newBuilder()
        .setBodyId(bodyId)
        .setChunkCount(offsets.size())
        .setSize(head.length + chunkOctets)
        .setSha256(digest)
        .setHead(ByteBuffer.wrap(head))
        .setPartition(partition)
        .setOffsets(offsets)
        .build();
  }

  /** Completes on the session's context, whatever thread the store answered on. */
  private <T> CompletionStage<T> onContext(CompletableFuture<T> stage) {
    CompletableFuture<T> back = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        back.completeExceptionally(failure);
      } else {
        back.complete(value);
      }
    }));
    return back;
  }
}
