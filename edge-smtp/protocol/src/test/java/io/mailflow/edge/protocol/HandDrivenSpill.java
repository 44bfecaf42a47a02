package io.mailflow.edge.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** HandDrivenSpill - a BodySpill whose writes complete only when the test says so. */
final class HandDrivenSpill implements BodySpill {
  final List<byte[]> chunks = new ArrayList<>();
  final List<CompletableFuture<Void>> writes = new ArrayList<>();
  CompletableFuture<Void> finished;
  boolean discarded;
  /** Complete each write at once (and finish too). */
  boolean autoComplete;

  static HandDrivenSpill automatic() {
    HandDrivenSpill spill = new HandDrivenSpill();
    spill.autoComplete = true;
    return spill;
  }

  @Override
  public CompletionStage<Void> write(byte[] chunk) {
    if (discarded || finished != null) {
      throw new AssertionError("write after discard/finish");
    }
    chunks.add(chunk);
    CompletableFuture<Void> f = new CompletableFuture<>();
    writes.add(f);
    if (autoComplete) {
      f.complete(null);
    }
    return f;
  }

  @Override
  public CompletionStage<Void> finish() {
    if (writes.stream().anyMatch(w -> !w.isDone())) {
      throw new AssertionError("finish before every write completed");
    }
    finished = new CompletableFuture<>();
    if (autoComplete) {
      finished.complete(null);
    }
    return finished;
  }

  @Override
  public void discard() {
    discarded = true;
  }

  /** Completes every write not completed yet, in order. */
  void completeAll() {
    for (CompletableFuture<Void> w : List.copyOf(writes)) {
      w.complete(null);
    }
  }

  long pendingWrites() {
    return writes.stream().filter(w -> !w.isDone()).count();
  }

  byte[] data() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
