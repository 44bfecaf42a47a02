package io.mailflow.edge.server;

import io.mailflow.schemas.avro.BodyChunk;
import java.util.concurrent.CompletionStage;

/**
 * BodyStore - where the chunks of a message too large to ride inline go (mail.bodies.v1). The
 * returned stage completes once the chunk is acknowledged, with where it is; chunks of one body (same
 * bodyId) must land on one partition in the order they were stored. Where a flush to disk is due before the
 * 250 (the embedded broker's), the publisher flushes the chunks' partition with the submission that refers to
 * them ({@link KafkaBodyStore#partitionOf}), so both share one flush.
 *
 * <p>May be called on an event loop: must not block. Fail with {@link BackPressureException} when the
 * store cannot take the chunk now (the client is told 452 4.3.1), with anything else when the write
 * failed (451 4.3.0).
 */
public interface BodyStore {

  CompletionStage<ChunkPosition> store(BodyChunk chunk);

  /** Where a stored chunk is: its partition and offset on mail.bodies.v1. */
  record ChunkPosition(int partition, long offset) {}
}
