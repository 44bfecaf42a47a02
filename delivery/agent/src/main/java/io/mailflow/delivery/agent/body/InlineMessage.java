package io.mailflow.delivery.agent.body;

import io.vertx.core.Future;
import java.util.Objects;

/** InlineMessage - a message held whole in memory (an InlineBody): one piece, then the end. */
final class InlineMessage implements MessageSource {

  private final byte[] message;
  private final boolean eightBit;

  InlineMessage(byte[] message, boolean eightBit) {
    this.message = Objects.requireNonNull(message, "message");
    this.eightBit = eightBit;
  }

  @Override
  public byte[] head() {
    return message;
  }

  @Override
  public boolean inline() {
    return true;
  }

  @Override
  public long size() {
    return message.length;
  }

  @Override
  public boolean eightBit() {
    return eightBit;
  }

  @Override
  public MessageSource withHead(byte[] head) {
    return MessageSource.of(head);
  }

  @Override
  public ContentStream open() {
    return new ContentStream() {
      private boolean given;

      @Override
      public Future<byte[]> next() {
        if (given) {
          return Future.succeededFuture(null);
        }
        given = true;
        return Future.succeededFuture(message);
      }

      @Override
      public void close() {
        given = true;
      }
    };
  }
}
