package io.mailflow.delivery.agent.body;

import io.mailflow.delivery.core.SmtpDataEncoder;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * ReferencedMessage - a claim-checked message (a BodyReference): its head in memory, its chunks read from
 * mail.bodies.v1 by {@link BodyChunks} while they are written out.
 *
 * <p>A reading hands out the head, then chunk 0, 1, ... and asks the reader for chunk i+1 as soon as it
 * hands out chunk i (one chunk read ahead, so at most two chunks per delivery are in memory). The end
 * is reported only after the SHA-256 over the chunks' data and the total size matched the reference:
 * a writer that waits for the end before its final dot or rename never delivers a corrupted message.
 */
public final class ReferencedMessage implements MessageSource {

  private final byte[] head;
  private final BodyReference reference;
  private final BodyChunks chunks;
  private final String networkMessageId;
  private final boolean declaredEightBit;

  /**
   * @param head the octets before the first chunk (the reference's head, plus any trace fields on top)
   * @param declaredEightBit the client declared BODY=8BITMIME or BINARYMIME
   */
  public ReferencedMessage(byte[] head, BodyReference reference, BodyChunks chunks, String networkMessageId,
      boolean declaredEightBit) {
    this.head = Objects.requireNonNull(head, "head");
    this.reference = Objects.requireNonNull(reference, "reference");
    this.chunks = Objects.requireNonNull(chunks, "chunks");
    this.networkMessageId = networkMessageId;
    this.declaredEightBit = declaredEightBit;
  }

  /** The message a reference stands for, its head as the reference carries it. */
  public static ReferencedMessage of(BodyReference reference, BodyChunks chunks, String networkMessageId,
      boolean declaredEightBit) {
    ByteBuffer data = reference.getHead().duplicate();
    byte[] head = new byte[data.remaining()];
    data.get(head);
    return new ReferencedMessage(head, reference, chunks, networkMessageId, declaredEightBit);
  }

  @Override
  public byte[] head() {
    return head;
  }

  @Override
  public boolean inline() {
    return false;
  }

  /** The head as held here (trace fields included) plus the chunks. */
  @Override
  public long size() {
    return head.length + chunkOctets();
  }

  @Override
  public boolean eightBit() {
    return declaredEightBit || SmtpDataEncoder.containsEightBit(head);
  }

  @Override
  public MessageSource withHead(byte[] newHead) {
    return new ReferencedMessage(newHead, reference, chunks, networkMessageId, declaredEightBit);
  }

  @Override
  public ContentStream open() {
    return new Reading(Vertx.currentContext());
  }

  private long chunkOctets() {
    return reference.getSize() - reference.getHead().remaining();
  }

  /**
   * The chunk's octets: the decoded buffer's own array when it is exactly that (Avro decodes {@code bytes} into a
   * fresh array of their length, read by nobody else), else a copy. Readers never write to it.
   */
  static byte[] bytesOf(ByteBuffer data) {
    if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0
        && data.remaining() == data.array().length) {
      return data.array();
    }
    ByteBuffer view = data.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private String describe() {
    return "body " + reference.getBodyId() + " on " + Topics.BODIES.name() + "-" + reference.getPartition()
        + " (network message id " + networkMessageId + ")";
  }

  /** One pass over head and chunks, one chunk read ahead. */
  private final class Reading implements ContentStream {
    private final Context context;
    private final MessageDigest digest = sha256();
    private boolean headGiven;
    private int nextIndex;
    private long chunkOctets;
    private CompletableFuture<BodyChunk> ahead;
    private boolean closed;

    Reading(Context context) {
      this.context = context;
    }

    @Override
    public Future<byte[]> next() {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("reading of " + describe() + " is closed"));
      }
      if (!headGiven) {
        headGiven = true;
        if (reference.getChunkCount() != reference.getOffsets().size()) {
          return Future.failedFuture(new BodyUnavailableException(describe() + ": the reference lists "
              + reference.getOffsets().size() + " offsets for " + reference.getChunkCount() + " chunks", true, null));
        }
        ahead = request(0);
        return Future.succeededFuture(head);
      }
      if (nextIndex >= reference.getChunkCount()) {
        return Future.succeededFuture(null).compose(v -> verifyEnd());
      }
      CompletableFuture<BodyChunk> wanted = ahead;
      int index = nextIndex++;
      ahead = request(index + 1);
      Future<BodyChunk> chunk = context == null ? Future.fromCompletionStage(wanted)
          : Future.fromCompletionStage(wanted, context);
      return chunk.map(c -> {
        byte[] bytes = bytesOf(c.getData());
        digest.update(bytes);
        chunkOctets += bytes.length;
        return bytes;
      });
    }

    private CompletableFuture<BodyChunk> request(int index) {
      return index < reference.getChunkCount() ? chunks.read(reference, index, networkMessageId) : null;
    }

    private Future<byte[]> verifyEnd() {
      if (chunkOctets != chunkOctets()) {
        return Future.failedFuture(new BodyUnavailableException(describe() + ": the chunks hold " + chunkOctets
            + " octets, the reference says " + chunkOctets() + " (size " + reference.getSize() + " minus a head of "
            + reference.getHead().remaining() + ")", true, null));
      }
      String expected = reference.getSha256();
      String actual = HexFormat.of().formatHex(digest.digest());
      if (expected != null && !expected.equalsIgnoreCase(actual)) {
        return Future.failedFuture(new BodyUnavailableException(describe() + ": SHA-256 of the " + nextIndex
            + " chunks" + (nextIndex == 0 ? "" : " (last at offset " + reference.getOffsets().get(nextIndex - 1) + ")")
            + " is "
            + actual + ", the reference says " + expected, true, null));
      }
      return Future.succeededFuture(null);
    }

    @Override
    public void close() {
      closed = true;
      if (ahead != null) {
        ahead.cancel(false);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }
}
