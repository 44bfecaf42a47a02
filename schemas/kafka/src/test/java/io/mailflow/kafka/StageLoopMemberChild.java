package io.mailflow.kafka;

import io.mailflow.schemas.avro.TrackingEvent;
import java.util.concurrent.CompletableFuture;

/**
 * A stage loop in a JVM of its own, for {@link StageLoopRecoveryIT} to kill -9 (destroyForcibly): args are the
 * bootstrap servers, the group and the instance id. Prints "joined N" once its group gave it N partitions,
 * then runs until killed.
 */
public final class StageLoopMemberChild {
  private StageLoopMemberChild() {}

  public static void main(String[] args) throws Exception {
    TopicPublisher publisher = TopicPublisher.create(args[0], "child-" + args[2]);
    StageLoop<TrackingEvent> loop = StageLoop.start("test", args[0], args[1], Topics.TRACKING,
        (key, value, origin) -> CompletableFuture.completedFuture(null), publisher,
        StageLoop.Options.defaults().withInstanceId(args[2]));
    while (!loop.membership().joined() || loop.membership().partitions() == 0) {
      Thread.sleep(20);
    }
    System.out.println("joined " + loop.membership().partitions());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
