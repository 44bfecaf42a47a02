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
 *
 * <p>A message that outgrew the inline limit is <em>spilled</em>: only its head (the header section
 * up to and including the CRLF CRLF that ends it) is held here; the rest went to a {@link BodySpill}
 * in {@link #spilledChunks()} chunks of {@link #spilledOctets()} octets, in order. The reading methods
 * ({@link #open()}, {@link #toByteArray()}, {@link #writeTo}, {@link #head(int)}) then read the head only.
 */
public final class MessageContent {
  private final List<byte[]> chunks;
  private final long heldSize;
  private final BodySpill spill;
  private final int spilledChunks;
  private final long spilledOctets;

  MessageContent(List<byte[]> chunks) {
    this(chunks, null, 0, 0);
  }

  MessageContent(List<byte[]> chunks, BodySpill spill, int spilledChunks, long spilledOctets) {
    this.chunks = List.copyOf(chunks);
    long total = 0;
    for (byte[] chunk : chunks) {
      total += chunk.length;
    }
    this.heldSize = total;
    this.spill = spill;
    this.spilledChunks = spilledChunks;
    this.spilledOctets = spilledOctets;
  }

  /** Whether the body went to a spill (only the head is held here). */
  public boolean spilled() {
    return spill != null;
  }

  /** The spill holding the rest of the message (the one the hooks gave for it), or null. */
  public BodySpill spill() {
    return spill;
  }

  public int spilledChunks() {
    return spilledChunks;
  }

  public long spilledOctets() {
    return spilledOctets;
  }

  /** Octets held in memory: the whole message, or its head when spilled. */
  public long heldSize() {
    return heldSize;
  }

  /** Content made of the given octets (tests, adapters). */
  public static MessageContent of(byte[] octets) {
    return new MessageContent(List.of(octets.clone()));
  }

  /** Size of the whole message in octets, spilled part included. */
  public long size() {
    return heldSize + spilledOctets;
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

  /** The held content in one array. Fails for content over 2 GB, which no connector limit allows. */
  public byte[] toByteArray() {
    if (heldSize > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("message of " + heldSize + " octets does not fit in one array");
    }
    byte[] all = new byte[(int) heldSize];
    int at = 0;
    for (byte[] chunk : chunks) {
      System.arraycopy(chunk, 0, all, at, chunk.length);
      at += chunk.length;
    }
    return all;
  }

  /** The first {@code max} octets (e.g. to parse the header section without copying the body). */
  public byte[] head(int max) {
    int n = (int) Math.min(max, heldSize);
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
