package io.mailflow.delivery.core;

import java.io.ByteArrayOutputStream;

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
    for (byte b : message) {
      if (b < 0) {
        return true;
      }
    }
    return false;
  }

  /** Encodes the next chunk of the message. */
  public byte[] encode(byte[] chunk) {
    if (finished) {
      throw new IllegalStateException("encode after finish: one SmtpDataEncoder per message");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length + chunk.length / 32 + 8);
    for (byte b : chunk) {
      if (pendingCr) {
        pendingCr = false;
        endLine(out);
        if (b == LF) {
          continue; // CRLF: the line end is already written
        }
      }
      if (b == CR) {
        pendingCr = true;
      } else if (b == LF) {
        endLine(out);
      } else {
        if (atLineStart && b == DOT) {
          out.write(DOT);
          contentOctets++;
        }
        atLineStart = false;
        out.write(b);
        contentOctets++;
      }
    }
    return out.toByteArray();
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
