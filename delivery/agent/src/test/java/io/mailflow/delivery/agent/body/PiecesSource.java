package io.mailflow.delivery.agent.body;

import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * PiecesSource - a test message handed out in given pieces (as a claim-checked body would be), optionally
 * failing where its chunks would have run out; counts how many pieces were asked for before the previous
 * one was written (none may be).
 */
public final class PiecesSource implements MessageSource {

  private final List<byte[]> pieces;
  private final boolean failAtEnd;

  public PiecesSource(List<byte[]> pieces, boolean failAtEnd) {
    this.pieces = List.copyOf(pieces);
    this.failAtEnd = failAtEnd;
  }

  @Override
  public byte[] head() {
    return pieces.get(0);
  }

  @Override
  public boolean inline() {
    return false;
  }

  @Override
  public long size() {
    return pieces.stream().mapToLong(p -> p.length).sum();
  }

  @Override
  public boolean eightBit() {
    return false;
  }

  @Override
  public MessageSource withHead(byte[] head) {
    List<byte[]> changed = new java.util.ArrayList<>(pieces);
    changed.set(0, head);
    return new PiecesSource(changed, failAtEnd);
  }

  /** All pieces together. */
  public byte[] whole() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pieces.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Override
  public ContentStream open() {
    return new ContentStream() {
      private int next;

      @Override
      public Future<byte[]> next() {
        if (next < pieces.size()) {
          return Future.succeededFuture(pieces.get(next++));
        }
        return failAtEnd
            ? Future.failedFuture(new BodyUnavailableException("body test: digest mismatch", true, null))
            : Future.succeededFuture(null);
      }

      @Override
      public void close() {
        next = pieces.size();
      }
    };
  }
}
