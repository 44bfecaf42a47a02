package io.mailflow.edge.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * DataReader - reads DATA content: removes dot-stuffing and finds the end of data, which is only
 * ever CRLF "." CRLF (RFC 5321 4.1.1.4). LF "." LF, CR "." CR, LF "." CRLF and the other variants
 * used for SMTP smuggling are content, never an end.
 *
 * <p>A bare LF is stored as CRLF, as Postfix 3.9 does by default ({@code smtpd_forbid_bare_newline =
 * normalize}): scripts that write LF-only messages keep working, and since the line after a bare LF is
 * never a line start, neither dot-unstuffing nor the end of data can follow it. When the message is
 * relayed our client dot-stuffs that line, so the next server cannot be smuggled to either. A bare CR
 * has no such innocent origin and is noted, so the message can be refused
 * ({@link Replies#BARE_NEWLINE_IN_DATA}).
 */
final class DataReader {

  /** Eight octets at a time, the first in the lowest byte, whatever the platform's order. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long CRS = '\r' * ONES;
  private static final long LFS = '\n' * ONES;

  /** Where in a line the reader is: just after CRLF, after a leading dot, after ".CR", mid-line, after CR. */
  private enum State { LINE_START, DOT, DOT_CR, TEXT, CR }

  private final MessageBuffer buffer;
  private State state = State.LINE_START; // the DATA command's own CRLF starts the first line
  private boolean bareNewline;
  private boolean finished;

  DataReader(MessageBuffer buffer) {
    this.buffer = buffer;
  }

  /**
   * Consumes content up to and including the end of data, or until the buffer is blocked (spill
   * writes in flight fill the window); returns the index after what was consumed.
   */
  int consume(byte[] b, int from, int to) {
    int i = from;
    while (i < to && !finished && !buffer.blocked()) {
      if (state == State.TEXT) {
        // fast path: copy a run of ordinary octets at once (at most up to the next spill chunk)
        int start = i;
        int end = (int) Math.min(to, (long) i + buffer.room());
        i = indexOfLineByte(b, i, end);
        if (i > start) {
          buffer.write(b, start, i - start);
        }
        if (i == end) {
          continue; // the run ended at the input's end or at a chunk boundary: check again
        }
      }
      step(b[i++]);
    }
    return i;
  }

  /**
   * The index of the next CR or LF in {@code bytes[from, to)}, or {@code to}; eight octets per step: a word holds a
   * CR (LF) where word ^ CRS (^ LFS) has a zero octet, and the lowest such octet is found exactly by
   * (v - ONES) & ~v & HIGH_BITS (borrows only disturb the octets above it).
   */
  static int indexOfLineByte(byte[] bytes, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long word = (long) LONGS.get(bytes, i);
      long cr = word ^ CRS;
      long lf = word ^ LFS;
      long found = ((cr - ONES) & ~cr | (lf - ONES) & ~lf) & HIGH_BITS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      byte c = bytes[i];
      if (c == '\r' || c == '\n') {
        return i;
      }
    }
    return to;
  }

  boolean finished() {
    return finished;
  }

  boolean sawBareNewline() {
    return bareNewline;
  }

  private void step(byte c) {
    switch (state) {
      case LINE_START -> {
        if (c == '.') {
          state = State.DOT;
        } else {
          text(c);
        }
      }
      case DOT -> {
        // the leading dot is removed whatever follows (RFC 5321 4.5.2)
        if (c == '\r') {
          state = State.DOT_CR;
        } else {
          text(c);
        }
      }
      case DOT_CR -> {
        if (c == '\n') {
          finished = true;
        } else {
          bare('\r');
          text(c);
        }
      }
      case TEXT -> text(c);
      case CR -> {
        if (c == '\n') {
          buffer.write('\r');
          buffer.write('\n');
          state = State.LINE_START;
        } else {
          bare('\r');
          text(c);
        }
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  /** An octet in the middle of a line. */
  private void text(byte c) {
    if (c == '\r') {
      state = State.CR;
      return;
    }
    if (c == '\n') {
      buffer.write('\r'); // normalised; still not a line start (see the class comment)
      buffer.write('\n');
    } else {
      buffer.write(c);
    }
    state = State.TEXT;
  }

  private void bare(char c) {
    bareNewline = true;
    buffer.write(c);
    state = State.TEXT;
  }
}
