package io.mailflow.edge.protocol;

import java.util.concurrent.CompletionStage;

/**
 * BodySpill - where a message's octets go once it outgrows memory (the edge: chunks on
 * mail.bodies.v1). The engine keeps the header section in memory and hands the rest over here in
 * order, never more than {@link SmtpConfig#spillWindow()} writes unfinished at a time: while that
 * many are in flight it stops reading from the client, so memory per session stays bounded.
 *
 * <p>Called on the session's thread only; the stages may complete on any thread (the engine hops
 * back through its executor). One spill serves one message.
 */
public interface BodySpill {

  /** Stores the next chunk (the engine never touches the array again). Fails when it could not be stored. */
  CompletionStage<Void> write(byte[] chunk);

  /**
   * Called once, after the last write and once every write completed normally: completes when the
   * whole body is durable. The engine then hands the message to {@link SessionHooks#message}.
   */
  CompletionStage<Void> finish();

  /**
   * The message will not be queued (refused, reset, session ended, a write failed): forget it. What
   * was already stored stays until the store's own retention removes it. No call follows.
   */
  void discard();
}
