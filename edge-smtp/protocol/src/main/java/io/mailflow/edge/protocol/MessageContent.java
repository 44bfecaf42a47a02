package io.mailflow.edge.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.Collections;
import java.util.List;

/**
 * MessageContent - the octets of one received message (trace header first, then what the client
 * sent, dot-unstuffed), held as a list of chunks so a large message is never copied into one array
 * while it arrives.
 */
public final class MessageContent {
  private final List<byte[]> chunks;
  private final long size;

  MessageContent(List<byte[]> chunks) {
    this.chunks = List.copyOf(chunks);
    long total = 0;
    for (byte[] chunk : chunks) {
      total += chunk.length;
    }
    this.size = total;
  }

  /** Content made of the given octets (tests, adapters). */
  public static MessageContent of(byte[] octets) {
    return new MessageContent(List.of(octets.clone()));
  }

  /** Size in octets. */
  public long size() {
    return size;
  }

  /** Reads the content from its first octet; each call starts afresh. */
  public InputStream open() {
    return new SequenceInputStream(Collections.enumeration(
        chunks.stream().map(c -> (InputStream) new ByteArrayInputStream(c)).toList()));
  }

  public void writeTo(OutputStream out) throws IOException {
    for (byte[] chunk : chunks) {
      out.write(chunk);
    }
  }

  /** The whole content in one array. Fails for content over 2 GB, which no connector limit allows. */
  public byte[] toByteArray() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("message of " + size + " octets does not fit in one array");
    }
    byte[] all = new byte[(int) size];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, all, at, chunk.length);
      at += chunk.length;
    }
    return all;
  }

  /** The first {@code max} octets (e.g. to parse the header section without copying the body). */
  public byte[] head(int max) {
    int n = (int) Math.min(max, size);
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] chunk : chunks) {
      if (at == n) {
        break;
      }
      int take = Math.min(chunk.length, n - at);
      System.arraycopy(chunk, 0, out, at, take);
      at += take;
    }
    return out;
  }
}
