package io.mailflow.schemas.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * AvroCodec - single-object encoding of one generated record type.
 *
 * <p>Every value on a mailflow topic is Avro single-object encoded: a two-byte marker, the 64-bit
 * fingerprint of the writer's schema, then the binary datum. The fingerprint lets a reader pick the
 * writer's schema from {@link SchemaHistory} and resolve it against its own, so records written by an
 * older release still decode after a schema gained a field with a default.
 */
public final class AvroCodec<T extends SpecificRecord> {

  static {
    TrustedPackages.install();
  }

  /**
   * Trusts our generated classes now. Avro checks them not only when decoding: a builder that fills an
   * unset field with its enum default does too. Codecs do this when first used; a process that may
   * build records before it touches a codec (the command line) calls this first.
   */
  public static void trustGeneratedClasses() {
    TrustedPackages.install();
  }

  /** The first two bytes of every Avro single-object encoded record. */
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  /** Whether {@link #decode} also takes the record's JSON form ({@link EventJson}): the event streams' codecs. */
  private final boolean readsJson;

  private AvroCodec(Class<T> type, Schema schema, SchemaHistory history, boolean readsJson) {
    this.type = type;
    this.readsJson = readsJson;
    SpecificData model = SpecificData.getForClass(type);
    // No copy inside Avro: encode() hands back a view of its per-thread buffer, copied once below into the
    // record's own array (Avro's default copies that buffer first; at 100 KB bodies a copy per hop counts).
    this.encoder = new BinaryMessageEncoder<>(model, schema, false);
    this.decoder = new BinaryMessageDecoder<>(model, schema, history.store());
    history.schemasNamed(schema.getFullName()).forEach(decoder::addSchema);
  }

  /** A codec for a generated class, knowing every historical schema of that record. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
    return new AvroCodec<>(type, SpecificData.get().getSchema(type), SchemaHistory.bundled(), false);
  }

  /**
   * A codec for an event stream (message tracking, protocol log), whose records may be Avro or the JSON form
   * ({@link EventJson}), as the organization's trackingEventFormat / protocolEventFormat chose when they were
   * written: {@link #decode} tells them apart by their first byte (0xC3 Avro's marker, '{' JSON), so a reader works
   * whatever the setting was, and across a change of it.
   */
  public static <T extends SpecificRecord> AvroCodec<T> ofEvents(Class<T> type) {
    return new AvroCodec<>(type, SpecificData.get().getSchema(type), SchemaHistory.bundled(), true);
  }

  /** A codec that also knows the given older writer schemas (tests, or history shipped elsewhere). */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaHistory history) {
    return new AvroCodec<>(type, SpecificData.get().getSchema(type), history, false);
  }

  /** The record single-object encoded, in an array of its own (one copy of the encoder's per-thread buffer). */
  public byte[] encode(T value) {
    Objects.requireNonNull(value, "value");
    try {
      ByteBuffer buffer = encoder.encode(value); // valid until this thread's next encode: copied at once
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /** The record's JSON form, Exchange's field names ({@link EventJson}): what the event streams carry in Json. */
  public byte[] encodeJson(T value) {
    Objects.requireNonNull(value, "value");
    return EventJson.encode(value);
  }

  /** Whether {@link #decode} takes JSON as well as Avro (a codec made by {@link #ofEvents}). */
  public boolean readsJson() {
    return readsJson;
  }

  /** Whether {@code bytes} look like a JSON object (the first byte past whitespace is '{'), not Avro. */
  public static boolean isJson(byte[] bytes) {
    for (byte b : bytes) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  /**
   * Decodes one record, or throws {@link UndecodableRecordException} saying why: not single-object
   * encoded, written with a schema this reader has never seen, or truncated/corrupt. An event stream's codec
   * ({@link #ofEvents}) also decodes the JSON form.
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableRecordException(type.getSimpleName() + ": record has no value (null)");
    }
    if (readsJson && !(bytes.length >= 2 && bytes[0] == MARKER_0 && bytes[1] == MARKER_1)) {
      if (isJson(bytes)) {
        return EventJson.decode(bytes, type);
      }
      throw new UndecodableRecordException(type.getSimpleName() + ": not Avro single-object encoded (0xC3 0x01)"
          + " nor a JSON object ('{'): first bytes " + firstBytes(bytes));
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new UndecodableRecordException(
          type.getSimpleName() + ": written with an unknown schema (" + e.getMessage() + ")", e);
    } catch (BadHeaderException e) {
      throw new UndecodableRecordException(
          type.getSimpleName() + ": not Avro single-object encoded (" + e.getMessage() + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new UndecodableRecordException(
          type.getSimpleName() + ": corrupt record (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  private static String firstBytes(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(4, bytes.length); i++) {
      hex.append(String.format("%02X ", bytes[i]));
    }
    return bytes.length == 0 ? "(empty)" : hex.toString().trim();
  }

  public Class<T> type() {
    return type;
  }
}
