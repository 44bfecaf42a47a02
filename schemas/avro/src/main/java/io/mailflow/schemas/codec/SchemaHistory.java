package io.mailflow.schemas.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * SchemaHistory - the writer schemas of earlier releases, by fingerprint.
 *
 * <p>When a schema changes, its previous version is copied to
 * {@code src/main/resources/io/mailflow/schemas/history/} and listed in {@code index.txt} there. A
 * decoder consults this store when a record's fingerprint is not the current schema's.
 */
public final class SchemaHistory {
  private static final String INDEX = "/io/mailflow/schemas/history/index.txt";

  private final List<Schema> schemas;
  private final SchemaStore.Cache store = new SchemaStore.Cache();

  private SchemaHistory(List<Schema> schemas) {
    this.schemas = List.copyOf(schemas);
    this.schemas.forEach(store::addSchema);
  }

  /** The history shipped with this release. */
  public static SchemaHistory bundled() {
    List<Schema> schemas = new ArrayList<>();
    try (InputStream index = SchemaHistory.class.getResourceAsStream(INDEX)) {
      if (index != null) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          String name = line.strip();
          if (name.isEmpty() || name.startsWith("#")) {
            continue;
          }
          schemas.add(parse("/io/mailflow/schemas/history/" + name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema history " + INDEX, e);
    }
    return new SchemaHistory(schemas);
  }

  /** A history made of the given schemas. */
  public static SchemaHistory of(List<Schema> schemas) {
    return new SchemaHistory(schemas);
  }

  private static Schema parse(String resource) throws IOException {
    try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("schema history lists " + resource + " but it is not on the classpath");
      }
      return new Schema.Parser().parse(in);
    }
  }

  List<Schema> schemasNamed(String fullName) {
    return schemas.stream().filter(s -> s.getFullName().equals(fullName)).toList();
  }

  SchemaStore store() {
    return store;
  }
}
