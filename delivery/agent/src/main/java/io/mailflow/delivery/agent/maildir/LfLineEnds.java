package io.mailflow.delivery.agent.maildir;

import java.io.ByteArrayOutputStream;

/**
 * LfLineEnds - turns CRLF into LF (Maildir files use the local line end, as Postfix writes them), piece
 * by piece: a CR that ends one piece waits to see whether the next one starts with LF. A CR not followed
 * by LF is kept.
 */
final class LfLineEnds {

  private boolean pendingCr;

  /** The converted piece; a trailing CR is held back until the next piece or {@link #finish()}. */
  byte[] convert(byte[] piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length + 1);
    for (byte b : piece) {
      if (pendingCr) {
        pendingCr = false;
        if (b != '\n') {
          out.write('\r');
        }
      }
      if (b == '\r') {
        pendingCr = true;
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  /** A CR held back at the very end. */
  byte[] finish() {
    if (pendingCr) {
      pendingCr = false;
      return new byte[] {'\r'};
    }
    return new byte[0];
  }
}
