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

  /** Consumes the chunk's octets until they or the input run out, or the buffer is blocked (spill window full). */
  int consume(byte[] b, int from, int to) {
    int i = from;
    while (remaining > 0 && i < to && (buffer == null || !buffer.blocked())) {
      int n = (int) Math.min(remaining, to - i);
      if (buffer != null) {
        n = Math.min(n, buffer.room());
        buffer.write(b, i, n);
      }
      remaining -= n;
      i += n;
    }
    return i;
  }

  boolean finished() {
    return remaining == 0;
  }
}
