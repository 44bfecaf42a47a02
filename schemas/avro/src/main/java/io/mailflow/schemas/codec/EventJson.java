package io.mailflow.schemas.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * EventJson - the JSON form of an event record: one object per record with Exchange's field names, what standard
 * tools (kcat | jq, ClickHouse's JSONEachRow, Kafka Connect's JsonConverter) read without mailflow's code.
 *
 * <p>The mapping is driven by the Avro schema, so a field added to a schema is in the JSON at once:
 * <ul>
 *   <li>names: the Avro field name (Exchange's log field in camelCase) in Exchange's kebab-case:
 *       {@code networkMessageId} → {@code network-message-id}, {@code dateTime} → {@code date-time};</li>
 *   <li>every field is present, in schema order; an empty union is {@code null}, so a loader sees stable columns;</li>
 *   <li>timestamps ({@code timestamp-millis}) are ISO-8601 UTC with milliseconds: {@code 2026-12-07T20:51:08.123Z};</li>
 *   <li>arrays are JSON arrays, nested records (the queue state) JSON objects, enums their symbol, bytes base64.</li>
 * </ul>
 * Reading is lenient in the ways a newer or older writer differs: unknown keys are ignored, a missing key takes the
 * schema's default, a timestamp may also be epoch milliseconds; a missing key with no default, or a value of the
 * wrong JSON type, is an {@link UndecodableRecordException} naming the key. Thread-safe.
 */
public final class EventJson {
  /** Exchange's message-tracking date-time shape: ISO-8601, UTC, milliseconds. */
  public static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
  private static final Map<Schema, String[]> NAMES = new ConcurrentHashMap<>();

  private EventJson() {}

  /** camelCase to Exchange's kebab-case: dateTime → date-time, clientIp → client-ip. */
  public static String exchangeName(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The JSON keys of a record schema's fields, in order (nested records are one key each). */
  public static List<String> keys(Schema recordSchema) {
    return List.of(names(recordSchema));
  }

  /** The record as one line of JSON, UTF-8. */
  public static byte[] encode(SpecificRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      writeRecord(record, record.getSchema(), SpecificData.getForClass(record.getClass()), json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + record.getSchema().getName() + " as JSON", e);
    }
    return out.toByteArray();
  }

  /** The record as one line of JSON (what {@code mailflow events tail} prints). */
  public static String toJson(SpecificRecord record) {
    Writer out = new StringWriter(512);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      writeRecord(record, record.getSchema(), SpecificData.getForClass(record.getClass()), json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + record.getSchema().getName() + " as JSON", e);
    }
    return out.toString();
  }

  /**
   * One record of {@code type} from its JSON form.
   *
   * @throws UndecodableRecordException not a JSON object, a key missing that has no default, or a value of the wrong
   *     type, naming the key
   */
  public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new UndecodableRecordException(type.getSimpleName() + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new UndecodableRecordException(type.getSimpleName() + ": cannot read JSON (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new UndecodableRecordException(type.getSimpleName() + ": JSON is not an object");
    }
    return type.cast(readRecord((ObjectNode) root, schema, model, type.getSimpleName()));
  }

  private static String[] names(Schema record) {
    return NAMES.computeIfAbsent(record, s -> s.getFields().stream().map(f -> exchangeName(f.name()))
        .toArray(String[]::new));
  }

  private static void writeRecord(Object value, Schema schema, SpecificData model, JsonGenerator json) throws IOException {
    GenericData.Record generic = value instanceof GenericData.Record r ? r : null;
    SpecificRecord specific = value instanceof SpecificRecord r ? r : null;
    String[] names = names(schema);
    json.writeStartObject();
    for (Schema.Field field : schema.getFields()) {
      json.writeFieldName(names[field.pos()]);
      Object fieldValue = specific != null ? specific.get(field.pos()) : generic.get(field.pos());
      write(fieldValue, field.schema(), model, json);
    }
    json.writeEndObject();
  }

  private static void write(Object value, Schema schema, SpecificData model, JsonGenerator json) throws IOException {
    if (value == null) {
      json.writeNull();
      return;
    }
    switch (schema.getType()) {
      case UNION -> write(value, schema.getTypes().get(model.resolveUnion(schema, value)), model, json);
      case RECORD -> writeRecord(value, schema, model, json);
      case ARRAY -> {
        json.writeStartArray();
        for (Object item : (Collection<?>) value) {
          write(item, schema.getElementType(), model, json);
        }
        json.writeEndArray();
      }
      case MAP -> {
        json.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          json.writeFieldName(e.getKey().toString());
          write(e.getValue(), schema.getValueType(), model, json);
        }
        json.writeEndObject();
      }
      case LONG -> {
        if (value instanceof Instant instant) {
          json.writeString(dateTime(instant));
        } else if (isTimestamp(schema)) {
          json.writeString(dateTime(instantOf(((Number) value).longValue(), schema)));
        } else {
          json.writeNumber(((Number) value).longValue());
        }
      }
      case INT -> json.writeNumber(((Number) value).intValue());
      case FLOAT -> json.writeNumber(((Number) value).floatValue());
      case DOUBLE -> json.writeNumber(((Number) value).doubleValue());
      case BOOLEAN -> json.writeBoolean((Boolean) value);
      case BYTES, FIXED -> json.writeString(Base64.getEncoder().encodeToString(bytesOf(value)));
      case ENUM, STRING -> json.writeString(value.toString());
      case NULL -> json.writeNull();
    }
  }

  private static Object readRecord(ObjectNode node, Schema schema, SpecificData model, String path) {
    Object record = model.newRecord(null, schema);
    String[] names = names(schema);
    for (Schema.Field field : schema.getFields()) {
      String key = names[field.pos()];
      JsonNode value = node.get(key);
      Object read;
      if (value == null || value.isNull() && !nullable(field.schema())) {
        if (!field.hasDefaultValue()) {
          throw new UndecodableRecordException(path + ": JSON has no '" + key + "' (required)");
        }
        read = model.getDefaultValue(field);
      } else {
        read = read(value, field.schema(), model, path + "." + key);
      }
      model.setField(record, field.name(), field.pos(), read);
    }
    return record;
  }

  private static Object read(JsonNode node, Schema schema, SpecificData model, String path) {
    if (node.isNull()) {
      if (nullable(schema)) {
        return null;
      }
      throw wrong(path, "null", schema);
    }
    switch (schema.getType()) {
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() != Schema.Type.NULL && accepts(branch, node)) {
            return read(node, branch, model, path);
          }
        }
        throw wrong(path, node.getNodeType().toString().toLowerCase(), schema);
      }
      case RECORD -> {
        if (!node.isObject()) {
          throw wrong(path, node.getNodeType().toString().toLowerCase(), schema);
        }
        return readRecord((ObjectNode) node, schema, model, path);
      }
      case ARRAY -> {
        if (!node.isArray()) {
          throw wrong(path, node.getNodeType().toString().toLowerCase(), schema);
        }
        List<Object> items = new ArrayList<>(node.size());
        int i = 0;
        for (JsonNode item : node) {
          items.add(read(item, schema.getElementType(), model, path + "[" + i++ + "]"));
        }
        return items;
      }
      case MAP -> {
        if (!node.isObject()) {
          throw wrong(path, node.getNodeType().toString().toLowerCase(), schema);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(),
            read(e.getValue(), schema.getValueType(), model, path + "." + e.getKey())));
        return map;
      }
      case LONG -> {
        if (isTimestamp(schema)) {
          Instant instant = instantFrom(node, path);
          boolean converted = model.getConversionFor(schema.getLogicalType()) != null;
          return converted ? instant : millisOrMicros(instant, schema);
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.longValue();
      }
      case INT -> {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.intValue();
      }
      case FLOAT -> {
        if (!node.isNumber()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.floatValue();
      }
      case DOUBLE -> {
        if (!node.isNumber()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.doubleValue();
      }
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.booleanValue();
      }
      case STRING -> {
        if (!node.isTextual()) {
          throw wrong(path, node.toString(), schema);
        }
        return node.textValue();
      }
      case ENUM -> {
        if (!node.isTextual()) {
          throw wrong(path, node.toString(), schema);
        }
        String symbol = node.textValue();
        if (!schema.hasEnumSymbol(symbol)) {
          if (schema.getEnumDefault() == null) {
            throw new UndecodableRecordException(path + ": '" + symbol + "' is not one of " + schema.getEnumSymbols());
          }
          symbol = schema.getEnumDefault();
        }
        return model.createEnum(symbol, schema);
      }
      case BYTES -> {
        try {
          return ByteBuffer.wrap(Base64.getDecoder().decode(node.asText()));
        } catch (IllegalArgumentException e) {
          throw new UndecodableRecordException(path + ": not base64 (" + e.getMessage() + ")", e);
        }
      }
      case FIXED -> {
        try {
          return model.createFixed(null, Base64.getDecoder().decode(node.asText()), schema);
        } catch (IllegalArgumentException e) {
          throw new UndecodableRecordException(path + ": not base64 (" + e.getMessage() + ")", e);
        }
      }
      default -> throw wrong(path, node.toString(), schema);
    }
  }

  /** Whether a union branch can take this JSON value (the first that can, is taken). */
  private static boolean accepts(Schema branch, JsonNode node) {
    return switch (branch.getType()) {
      case RECORD, MAP -> node.isObject();
      case ARRAY -> node.isArray();
      case LONG -> isTimestamp(branch) ? node.isTextual() || node.isIntegralNumber() : node.isIntegralNumber();
      case INT -> node.isIntegralNumber() && node.canConvertToInt();
      case FLOAT, DOUBLE -> node.isNumber();
      case BOOLEAN -> node.isBoolean();
      case STRING, ENUM, BYTES, FIXED -> node.isTextual();
      default -> false;
    };
  }

  private static UndecodableRecordException wrong(String path, String got, Schema schema) {
    String want = isTimestamp(schema) ? "an ISO-8601 date-time" : schema.getType().getName();
    if (schema.getType() == Schema.Type.UNION) {
      want = schema.getTypes().stream().map(s -> s.getType().getName()).toList().toString();
    }
    return new UndecodableRecordException(path + ": got " + abbreviate(got) + ", want " + want);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static boolean nullable(Schema schema) {
    return schema.getType() == Schema.Type.NULL || schema.getType() == Schema.Type.UNION
        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
  }

  private static boolean isTimestamp(Schema schema) {
    LogicalType type = schema.getLogicalType();
    return type instanceof LogicalTypes.TimestampMillis || type instanceof LogicalTypes.TimestampMicros;
  }

  private static Instant instantOf(long value, Schema schema) {
    return schema.getLogicalType() instanceof LogicalTypes.TimestampMicros
        ? Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000L)
        : Instant.ofEpochMilli(value);
  }

  private static long millisOrMicros(Instant instant, Schema schema) {
    return schema.getLogicalType() instanceof LogicalTypes.TimestampMicros
        ? instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000 : instant.toEpochMilli();
  }

  /** An ISO-8601 date-time (any offset; Z when none is given is not assumed) or epoch milliseconds. */
  private static Instant instantFrom(JsonNode node, String path) {
    if (node.isIntegralNumber()) {
      return Instant.ofEpochMilli(node.longValue());
    }
    if (!node.isTextual()) {
      throw new UndecodableRecordException(path + ": got " + abbreviate(node.toString())
          + ", want an ISO-8601 date-time");
    }
    String text = node.textValue();
    Instant fast = parseDateTime(text);
    if (fast != null) {
      return fast;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new UndecodableRecordException(path + ": '" + abbreviate(text)
            + "' is not an ISO-8601 date-time with a zone (e.g. 2026-12-07T20:51:08.123Z)", e);
      }
    }
  }

  /**
   * {@code instant} as {@link #DATE_TIME} writes it ({@code 2026-12-07T20:51:08.123Z}), without the formatter for
   * years 0-9999 (every event's): the formatter was half the cost of encoding an event as JSON.
   */
  static String dateTime(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_FAST_SECOND || seconds > MAX_FAST_SECOND) {
      return DATE_TIME.format(instant);
    }
    java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(seconds, instant.getNano(), ZoneOffset.UTC);
    char[] c = new char[24];
    digits(c, 0, t.getYear(), 4);
    c[4] = '-';
    digits(c, 5, t.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, t.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, t.getHour(), 2);
    c[13] = ':';
    digits(c, 14, t.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, t.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, t.getNano() / 1_000_000, 3);
    c[23] = 'Z';
    return new String(c);
  }

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years {@link #dateTime} writes itself. */
  private static final long MIN_FAST_SECOND = -62_167_219_200L;
  private static final long MAX_FAST_SECOND = 253_402_300_799L;

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * The instant of a date-time in exactly {@link #DATE_TIME}'s shape (what mailflow writes), or null for any other
   * shape (then the general parsers decide, and name what is wrong); a field out of range (month 13, February 30)
   * is null too, so the general parser reports it.
   */
  static Instant parseDateTime(String s) {
    if (s.length() != 24 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || s.charAt(19) != '.' || s.charAt(23) != 'Z') {
      return null;
    }
    int year = number(s, 0, 4);
    int month = number(s, 5, 2);
    int day = number(s, 8, 2);
    int hour = number(s, 11, 2);
    int minute = number(s, 14, 2);
    int second = number(s, 17, 2);
    int millis = number(s, 20, 3);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
      return null;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
  }

  /** The decimal number of {@code width} ASCII digits at {@code at}, or -1 if one is not a digit. */
  private static int number(String s, int at, int width) {
    int n = 0;
    for (int i = at; i < at + width; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      n = n * 10 + (ch - '0');
    }
    return n;
  }

  private static byte[] bytesOf(Object value) {
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] raw = new byte[copy.remaining()];
      copy.get(raw);
      return raw;
    }
    if (value instanceof GenericData.Fixed fixed) {
      return fixed.bytes();
    }
    return (byte[]) value;
  }
}
