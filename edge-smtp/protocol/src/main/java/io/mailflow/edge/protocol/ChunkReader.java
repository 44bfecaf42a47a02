package io.mailflow.edge.protocol;

/** ChunkReader - reads exactly the octets a BDAT command announced; its content is taken as is. */
final class ChunkReader {
  private final MessageBuffer buffer;
  private long remaining;

  /** @param buffer where the octets go, or null to read and discard them */
  ChunkReader(MessageBuffer buffer, long size) {
    this.buffer = buffer;
    this.remaining = size;
  }

  int consume(byte[] b, int from, int to) {
    int n = (int) Math.min(remaining, to - from);
    if (buffer != null) {
      buffer.write(b, from, n);
    }
    remaining -= n;
    return from + n;
  }

  boolean finished() {
    return remaining == 0;
  }
}
