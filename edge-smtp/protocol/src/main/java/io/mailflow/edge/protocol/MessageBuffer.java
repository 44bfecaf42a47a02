package io.mailflow.edge.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MessageBuffer - collects a message while it arrives and counts the client's octets against the
 * size limit. Past the limit it keeps counting but stores nothing, so an oversize message costs no
 * more memory than the limit.
 */
final class MessageBuffer {
  private static final int CHUNK = 64 * 1024;

  private final long limit;
  private final List<byte[]> chunks = new ArrayList<>();
  private byte[] current = new byte[1024];
  private int used;
  private long clientOctets;

  MessageBuffer(long limit, byte[] traceHeader) {
    this.limit = limit;
    if (traceHeader.length > 0) {
      chunks.add(traceHeader.clone());
    }
  }

  void write(int b) {
    if (++clientOctets > limit) {
      return;
    }
    if (used == current.length) {
      grow();
    }
    current[used++] = (byte) b;
  }

  void write(byte[] b, int off, int len) {
    long room = limit - clientOctets;
    clientOctets += len;
    int keep = (int) Math.max(0, Math.min(len, room));
    while (keep > 0) {
      if (used == current.length) {
        grow();
      }
      int n = Math.min(keep, current.length - used);
      System.arraycopy(b, off, current, used, n);
      used += n;
      off += n;
      keep -= n;
    }
  }

  /** Octets the client sent for this message (after dot-unstuffing), stored or not. */
  long clientOctets() {
    return clientOctets;
  }

  boolean exceeded() {
    return clientOctets > limit;
  }

  MessageContent finish() {
    if (used > 0) {
      chunks.add(Arrays.copyOf(current, used));
    }
    used = 0;
    return new MessageContent(chunks);
  }

  /** Small messages stay in a small array; large ones move to fixed 64 KB chunks. */
  private void grow() {
    if (current.length < CHUNK) {
      current = Arrays.copyOf(current, current.length * 4);
    } else {
      chunks.add(current);
      current = new byte[CHUNK];
      used = 0;
    }
  }
}
