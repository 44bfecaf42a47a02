package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * ClaimChecks - large messages the way the edge stores them: chunks on mail.bodies.v1 published here,
 * and the BodyReference built from the acks (partition, offsets, SHA-256 over the chunks' data).
 */
final class ClaimChecks {
  private ClaimChecks() {}

  /** The chunks as published, and the reference to them. */
  record Stored(BodyReference reference, byte[] head, List<byte[]> chunks) {
    /** head + every chunk: the message octets. */
    byte[] message() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(head);
      chunks.forEach(out::writeBytes);
      return out.toByteArray();
    }
  }

  /** A header section ending in CRLF CRLF. */
  static byte[] head(String subject, String messageId) {
    return ("From: alice@fabrikam.test\r\nTo: bob@contoso.test\r\nSubject: " + subject + "\r\nMessage-ID: "
        + messageId + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n").getBytes(US_ASCII);
  }

  /**
   * About {@code octets} of text body, CRLF lines of 78 octets; every 40th line starts with '.' (to be
   * dot-stuffed on the wire).
   */
  static byte[] body(int octets) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(octets + 100);
    for (int line = 0; out.size() < octets; line++) {
      String text = String.format("%s%07d the quick brown fox jumps over the lazy dog, claim-checked body",
          line % 40 == 0 ? "." : "L", line);
      out.writeBytes((text + "\r\n").getBytes(US_ASCII));
    }
    return out.toByteArray();
  }

  /**
   * Cuts {@code body} into chunks of at most {@code size} octets, alternately right between a CR and its LF
   * and right before a line starting with '.', so both cases cross a chunk boundary.
   */
  static List<byte[]> split(byte[] body, int size) {
    List<byte[]> chunks = new ArrayList<>();
    int pos = 0;
    for (int i = 0; pos < body.length; i++) {
      int cut = Math.min(body.length, pos + size);
      if (cut < body.length) {
        int at = cut;
        while (at > pos + size / 2 && !(i % 2 == 0
            ? body[at - 1] == '\r' && body[at] == '\n'
            : body[at - 1] == '\n' && body[at] == '.')) {
          at--;
        }
        cut = at > pos + size / 2 ? at : cut;
      }
      chunks.add(Arrays.copyOfRange(body, pos, cut));
      pos = cut;
    }
    return chunks;
  }

  /** Publishes the chunks under a fresh body id and builds the reference from the acks. */
  static Stored publish(TopicPublisher publisher, byte[] head, List<byte[]> chunks) throws Exception {
    String bodyId = UUID.randomUUID().toString();
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long size = head.length;
    for (int i = 0; i < chunks.size(); i++) {
      acks.add(publisher.send(Topics.BODIES, bodyId, new BodyChunk(bodyId, i, ByteBuffer.wrap(chunks.get(i)))));
      sha.update(chunks.get(i));
      size += chunks.get(i).length;
    }
    List<Long> offsets = new ArrayList<>();
    int partition = -1;
    for (CompletableFuture<RecordMetadata> ack : acks) {
      RecordMetadata m = ack.get(30, TimeUnit.SECONDS);
      partition = m.partition();
      offsets.add(m.offset());
    }
    BodyReference reference = BodyReference.newBuilder().setBodyId(bodyId).setChunkCount(chunks.size())
        .setSize(size).setSha256(HexFormat.of().formatHex(sha.digest())).setHead(ByteBuffer.wrap(head))
        .setPartition(partition).setOffsets(offsets).build();
    return new Stored(reference, head, chunks);
  }

  /** Lowercase hex SHA-256. */
  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** CRLF made LF, as the Maildir store writes. */
  static byte[] lf(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
        continue;
      }
      out.write(bytes[i]);
    }
    return out.toByteArray();
  }

  /** The octets after the first {@code lines} lines (ending in LF). */
  static byte[] afterLines(byte[] bytes, int lines) {
    int at = 0;
    for (int n = 0; n < lines; n++) {
      while (bytes[at] != '\n') {
        at++;
      }
      at++;
    }
    return Arrays.copyOfRange(bytes, at, bytes.length);
  }

  /** A DATA stream as received (CRLF lines, terminator removed) with its dot-stuffing undone. */
  static byte[] unstuffed(byte[] received) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(received.length);
    boolean lineStart = true;
    for (byte b : received) {
      if (lineStart && b == '.') {
        lineStart = false;
        continue;
      }
      out.write(b);
      lineStart = b == '\n';
    }
    return out.toByteArray();
  }
}
