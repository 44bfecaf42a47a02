package io.mailflow.delivery.agent.body;

import io.vertx.core.Future;

/**
 * ContentStream - one reading of a {@link MessageSource}, pulled piece by piece: the reader asks for
 * the next piece only once it has written the previous one, so at most a piece or two per delivery is
 * in memory however large the message is.
 */
public interface ContentStream {

  /**
   * The next piece, or null once the message has ended and (for a referenced body) its digest matched.
   * Fails with a {@link BodyUnavailableException} when the body cannot be read. Ask again only after the
   * previous future completed.
   */
  Future<byte[]> next();

  /** Stops reading early; pieces already asked for are dropped. */
  void close();
}
