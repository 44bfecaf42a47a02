package io.mailflow.cli;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * EventJson - one Avro event as one line of JSON, with Exchange's hyphenated field names.
 *
 * <p>Tracking and protocol events carry Exchange's log fields in camelCase (Avro names cannot hold
 * hyphens); {@code networkMessageId} is printed as {@code network-message-id}, so tooling written for
 * Exchange's logs finds the names it knows. Timestamps are ISO-8601 UTC, bytes are base64.
 */
final class EventJson {
  private EventJson() {}

  static String toJson(SpecificRecord record) {
    StringBuilder out = new StringBuilder(256);
    write(record, out);
    return out.toString();
  }

  /** camelCase to Exchange's kebab-case: dateTime → date-time, clientIp → client-ip. */
  static String exchangeName(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof SpecificRecord record) {
      out.append('{');
      boolean first = true;
      for (Schema.Field field : record.getSchema().getFields()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(exchangeName(field.name()), out);
        out.append(':');
        write(record.get(field.pos()), out);
      }
      out.append('}');
    } else if (value instanceof Collection<?> items) {
      out.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(item, out);
      }
      out.append(']');
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Instant instant) {
      string(instant.toString(), out);
    } else if (value instanceof ByteBuffer bytes) {
      ByteBuffer copy = bytes.duplicate();
      byte[] raw = new byte[copy.remaining()];
      copy.get(raw);
      string(Base64.getEncoder().encodeToString(raw), out);
    } else {
      string(value.toString(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
