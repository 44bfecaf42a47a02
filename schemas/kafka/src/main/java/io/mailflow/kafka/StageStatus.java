package io.mailflow.kafka;

import java.util.concurrent.CompletableFuture;

/**
 * StageStatus - how a running stage's consumer loop stands: whether it is a member of its group, and
 * whether it has stopped. A process watches the second to fail fast and reports the first as readiness;
 * every stage hands out its {@link StageLoop}'s, so no stage writes the delegation again.
 */
public interface StageStatus {

  /** This member's place in its group as last told by the group coordinator; never blocks. */
  StageLoop.Membership membership();

  /** Completes when the loop has ended: normally after close, exceptionally on a fatal error. */
  CompletableFuture<Void> stopped();
}
