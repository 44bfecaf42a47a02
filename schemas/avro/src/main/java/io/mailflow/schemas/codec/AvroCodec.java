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

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroCodec(Class<T> type, Schema schema, SchemaHistory history) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, history.store());
    history.schemasNamed(schema.getFullName()).forEach(decoder::addSchema);
  }

  /** A codec for a generated class, knowing every historical schema of that record. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
    return new AvroCodec<>(type, SpecificData.get().getSchema(type), SchemaHistory.bundled());
  }

  /** A codec that also knows the given older writer schemas (tests, or history shipped elsewhere). */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaHistory history) {
    return new AvroCodec<>(type, SpecificData.get().getSchema(type), history);
  }

  public byte[] encode(T value) {
    Objects.requireNonNull(value, "value");
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /**
   * Decodes one record, or throws {@link UndecodableRecordException} saying why: not single-object
   * encoded, written with a schema this reader has never seen, or truncated/corrupt.
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableRecordException(type.getSimpleName() + ": record has no value (null)");
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

  public Class<T> type() {
    return type;
  }
}
