package io.mailflow.edge.server;

import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** RecordingPublisher - an in-memory Submission queue whose answer each test decides. */
final class RecordingPublisher implements SubmissionPublisher {
  final List<SubmittedMessage> published = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
  volatile Function<SubmittedMessage, CompletionStage<Void>> answer = m -> CompletableFuture.completedFuture(null);

  /** Every later publish waits until the test completes it (see {@link #pending}). */
  void hold() {
    answer = m -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    };
  }

  /** Body chunks stored (only once {@link #storeBodies} or {@link #failBodiesWith} gave it a body store). */
  final List<BodyChunk> chunks = new CopyOnWriteArrayList<>();
  volatile Function<BodyChunk, CompletionStage<BodyStore.ChunkPosition>> chunkAnswer;

  /** Large bodies spill to memory here (partition 0, offset = index in {@link #chunks}). */
  void storeBodies() {
    chunkAnswer = c -> CompletableFuture.completedFuture(new BodyStore.ChunkPosition(0, chunks.indexOf(c)));
  }

  /** Every body chunk write fails with {@code e}. */
  void failBodiesWith(RuntimeException e) {
    chunkAnswer = c -> CompletableFuture.failedFuture(e);
  }

  @Override
  public Optional<BodyStore> bodies() {
    Function<BodyChunk, CompletionStage<BodyStore.ChunkPosition>> answer = chunkAnswer;
    return answer == null ? Optional.empty() : Optional.of(c -> {
      chunks.add(c);
      return answer.apply(c);
    });
  }

  void failWith(RuntimeException e) {
    answer = m -> CompletableFuture.failedFuture(e);
  }

  @Override
  public CompletionStage<Void> publish(SubmittedMessage message) {
    published.add(message);
    return answer.apply(message);
  }
}
