package io.mailflow.edge.protocol;

import java.util.Arrays;

/** HeldInput - bytes received while the session waits for an asynchronous answer, kept in order. */
final class HeldInput {
  private byte[] bytes = new byte[0];
  private int start;
  private int end;

  void append(byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    if (end + len > bytes.length) {
      int live = end - start;
      byte[] target = live + len > bytes.length ? new byte[Math.max(live + len, bytes.length * 2)] : bytes;
      System.arraycopy(bytes, start, target, 0, live);
      bytes = target;
      start = 0;
      end = live;
    }
    System.arraycopy(b, off, bytes, end, len);
    end += len;
  }

  boolean isEmpty() {
    return start == end;
  }

  byte[] array() {
    return bytes;
  }

  int start() {
    return start;
  }

  int end() {
    return end;
  }

  /** Everything before {@code index} has been processed. */
  void consumedTo(int index) {
    start = index;
    if (start == end) {
      clear();
    }
  }

  void clear() {
    start = 0;
    end = 0;
    if (bytes.length > 64 * 1024) {
      bytes = new byte[0]; // do not keep a burst's buffer for the life of the session
    }
  }

  @Override
  public String toString() {
    return Arrays.toString(Arrays.copyOfRange(bytes, start, end));
  }
}
