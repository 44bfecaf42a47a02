package io.mailflow.delivery.core;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * SmtpDataEncoder - turns raw message bytes into the DATA stream of RFC 5321 4.5.2: every line ending
 * becomes CRLF, a line starting with "." gets one more, and the stream ends with {@code CRLF.CRLF}.
 *
 * <p>Bare CR and bare LF both become CRLF: a receiver that reads them as line ends differently from us
 * is how SMTP smuggling works, so nothing ambiguous leaves this encoder. It is stateful so that a body
 * arriving in chunks (claim-checked bodies) streams through in bounded memory: call {@link #encode}
 * per chunk, then {@link #finish()} once. One encoder per message.
 */
public final class SmtpDataEncoder {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte DOT = '.';
  /** Eight octets at a time, the first in the lowest byte, whatever the platform's order. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long CRS = CR * ONES;
  private static final long LFS = LF * ONES;

  private boolean atLineStart = true;
  private boolean pendingCr;
  private boolean finished;
  private long contentOctets;

  /** Encodes a whole message in one go, terminator included. */
  public static byte[] encodeMessage(byte[] message) {
    SmtpDataEncoder encoder = new SmtpDataEncoder();
    byte[] body = encoder.encode(message);
    byte[] end = encoder.finish();
    byte[] all = new byte[body.length + end.length];
    System.arraycopy(body, 0, all, 0, body.length);
    System.arraycopy(end, 0, all, body.length, end.length);
    return all;
  }

  /** True when some byte has the high bit set: the message needs 8BITMIME (RFC 6152) to go as is. */
  public static boolean containsEightBit(byte[] message) {
    int i = 0;
    int n = message.length;
    for (; i + 8 <= n; i += 8) { // eight octets per step: a large body is scanned at every delivery
      if (((long) LONGS.get(message, i) & HIGH_BITS) != 0) {
        return true;
      }
    }
    for (; i < n; i++) {
      if (message[i] < 0) {
        return true;
      }
    }
    return false;
  }


  /**
   * Encodes the next chunk of the message. Runs of ordinary bytes are copied in bulk, and a chunk that needs no
   * change at all (CRLF line ends, no line starting with '.', the usual case) is returned as it is, uncopied: the
   * byte-at-a-time version was ~9% of a busy pipeline's CPU. The caller must not change {@code chunk} afterwards.
   */
  public byte[] encode(byte[] chunk) {
    if (finished) {
      throw new IllegalStateException("encode after finish: one SmtpDataEncoder per message");
    }
    int n = chunk.length;
    int i = 0;
    // Fast path: walk line by line while the bytes can go out unchanged.
    if (!pendingCr) {
      while (i < n) {
        byte b = chunk[i];
        if (atLineStart && b == DOT) {
          break; // needs stuffing
        }
        int lf = indexOfLineByte(chunk, i, n);
        if (lf == n) { // the rest is one unterminated run
          atLineStart = false;
          contentOctets += n - i;
          i = n;
          break;
        }
        if (chunk[lf] == CR) {
          if (lf + 1 < n && chunk[lf + 1] == LF) {
            contentOctets += lf + 2 - i;
            atLineStart = true;
            i = lf + 2;
            continue;
          }
          if (lf + 1 == n) { // a CR ending the chunk: hold it, its LF may come next
            contentOctets += lf - i;
            atLineStart = lf == i && atLineStart;
            i = lf;
          } else {
            // bare CR inside the chunk: the run before it is fine, the CR changes
            atLineStart = lf == i && atLineStart;
            contentOctets += lf - i;
            i = lf;
          }
          break;
        }
        // bare LF: the run before it is fine, the LF changes
        atLineStart = lf == i && atLineStart;
        contentOctets += lf - i;
        i = lf;
        break;
      }
      if (i == n) {
        return chunk;
      }
    }
    // Slow path from i on: the first i bytes are already accounted for and go out as they are.
    byte[] out = new byte[Math.max(16, i + (n - i) * 2 + 8)];
    System.arraycopy(chunk, 0, out, 0, i);
    int o = i;
    while (i < n) {
      byte b = chunk[i];
      if (pendingCr) {
        pendingCr = false;
        out = room(out, o, 2);
        o = endLine(out, o);
        if (b == LF) {
          i++;
          continue; // CRLF: the line end is already written
        }
      }
      if (b == CR) {
        pendingCr = true;
        i++;
      } else if (b == LF) {
        out = room(out, o, 2);
        o = endLine(out, o);
        i++;
      } else {
        if (atLineStart && b == DOT) {
          out = room(out, o, 1);
          out[o++] = DOT;
          contentOctets++;
        }
        atLineStart = false;
        int end = indexOfLineByte(chunk, i, n);
        out = room(out, o, end - i);
        System.arraycopy(chunk, i, out, o, end - i);
        o += end - i;
        contentOctets += end - i;
        i = end;
      }
    }
    return o == out.length ? out : Arrays.copyOf(out, o);
  }

  /** The index of the next CR or LF in {@code bytes[from, to)}, or {@code to}. */
  static int indexOfLineByte(byte[] bytes, int from, int to) {
    int i = from;
    // Eight octets per step: a word holds a CR (LF) where word ^ CRS (^ LFS) has a zero octet; the lowest such
    // octet is found exactly by (v - ONES) & ~v & HIGH_BITS (borrows only disturb the octets above it).
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
      byte b = bytes[i];
      if (b == CR || b == LF) {
        return i;
      }
    }
    return to;
  }


  private static byte[] room(byte[] out, int used, int more) {
    return used + more <= out.length ? out : Arrays.copyOf(out, Math.max(out.length * 2, used + more));
  }

  private int endLine(byte[] out, int o) {
    out[o] = CR;
    out[o + 1] = LF;
    contentOctets += 2;
    atLineStart = true;
    return o + 2;
  }

  /** The rest of the stream: a pending line end, a final CRLF if the message lacked one, and ".CRLF". */
  public byte[] finish() {
    if (finished) {
      throw new IllegalStateException("finish called twice");
    }
    finished = true;
    ByteArrayOutputStream out = new ByteArrayOutputStream(5);
    if (pendingCr) {
      pendingCr = false;
      endLine(out);
    }
    if (!atLineStart) {
      endLine(out);
    }
    out.write(DOT);
    out.write(CR);
    out.write(LF);
    return out.toByteArray();
  }

  /** Octets of message written so far, after line-end normalisation and dot-stuffing, terminator excluded. */
  public long contentOctets() {
    return contentOctets;
  }

  private void endLine(ByteArrayOutputStream out) {
    out.write(CR);
    out.write(LF);
    contentOctets += 2;
    atLineStart = true;
  }
}
