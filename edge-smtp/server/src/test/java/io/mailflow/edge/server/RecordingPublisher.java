package io.mailflow.edge.server;

import io.mailflow.schemas.avro.SubmittedMessage;
import java.util.List;
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

  void failWith(RuntimeException e) {
    answer = m -> CompletableFuture.failedFuture(e);
  }

  @Override
  public CompletionStage<Void> publish(SubmittedMessage message) {
    published.add(message);
    return answer.apply(message);
  }
}
