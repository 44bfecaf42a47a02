package io.mailflow.organization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YamlMapping - one YAML mapping of the organization file, read key by key with typed accessors that
 * report a problem (with its path) and return a default instead of throwing, so one pass finds every
 * problem.
 *
 * <p>Keys outside the allowed list are problems (a typo must not silently become a default), and so are
 * keys given twice. YAML merge keys ({@code <<: *anchor}) are honoured; explicit keys win over merged ones.
 */
final class YamlMapping {
  private final String path;
  private final ConfigErrors errors;
  private final Map<String, Node> entries = new LinkedHashMap<>();
  private final boolean valid;
  private final String ignoredPrefix;

  private YamlMapping(String path, ConfigErrors errors, boolean valid, String ignoredPrefix) {
    this.path = path;
    this.errors = errors;
    this.valid = valid;
    this.ignoredPrefix = ignoredPrefix;
  }

  /** Reads {@code node} as a mapping with the given allowed keys; a YAML null reads as an empty mapping. */
  static YamlMapping of(Node node, String path, ConfigErrors errors, List<String> allowedKeys) {
    return of(node, path, errors, allowedKeys, null);
  }

  /** As {@link #of(Node, String, ConfigErrors, List)}, ignoring keys that start with {@code ignoredPrefix}. */
  static YamlMapping of(Node node, String path, ConfigErrors errors, List<String> allowedKeys, String ignoredPrefix) {
    errors.seen(path, node);
    if (node == null || isNull(node)) {
      return new YamlMapping(path, errors, true, null);
    }
    if (!(node instanceof MappingNode mapping)) {
      errors.add(path, "expected a mapping of keys (key: value), got " + describe(node));
      return new YamlMapping(path, errors, false, null);
    }
    YamlMapping result = new YamlMapping(path, errors, true, ignoredPrefix);
    Map<String, Node> merged = new LinkedHashMap<>();
    result.collect(mapping, merged, allowedKeys, true);
    merged.forEach(result.entries::putIfAbsent);
    return result;
  }

  private void collect(MappingNode mapping, Map<String, Node> merged, List<String> allowedKeys, boolean explicit) {
    Map<String, Node> keyNodes = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (keyNode.getTag().equals(Tag.MERGE)) {
        mergeFrom(tuple.getValueNode(), merged, allowedKeys);
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        errors.add(path, "keys must be plain names, got " + describe(keyNode));
        continue;
      }
      String key = scalarKey.getValue();
      String keyPath = child(key);
      Node earlier = keyNodes.putIfAbsent(key, keyNode);
      if (earlier != null) {
        errors.add(keyPath, keyNode, "given twice (first on line " + (earlier.getStartMark().getLine() + 1) + ")");
        continue;
      }
      if (ignoredPrefix != null && key.startsWith(ignoredPrefix)) {
        continue;
      }
      if (!allowedKeys.contains(key)) {
        errors.add(path, keyNode, unknownKey(key, allowedKeys));
        continue;
      }
      errors.seen(keyPath, tuple.getValueNode());
      if (explicit) {
        entries.put(key, tuple.getValueNode());
      } else {
        merged.putIfAbsent(key, tuple.getValueNode());
      }
    }
  }

  private void mergeFrom(Node source, Map<String, Node> merged, List<String> allowedKeys) {
    List<Node> sources = source instanceof SequenceNode seq ? seq.getValue() : List.of(source);
    for (Node each : sources) {
      if (each instanceof MappingNode m) {
        collect(m, merged, allowedKeys, false);
      } else {
        errors.add(path, "a merge key (<<) needs a mapping or a list of mappings, got " + describe(each));
      }
    }
  }

  private String unknownKey(String key, List<String> allowedKeys) {
    String hint = "";
    for (String allowed : allowedKeys) {
      if (allowed.equalsIgnoreCase(key) || editDistance(allowed.toLowerCase(Locale.ROOT),
          key.toLowerCase(Locale.ROOT)) <= 2) {
        hint = " (did you mean '" + allowed + "'?)";
        break;
      }
    }
    return "unknown key '" + key + "'" + hint + "; allowed keys: " + String.join(", ", allowedKeys);
  }

  /** Path of a key of this mapping. */
  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  String path() {
    return path;
  }

  /** Whether the key is present with a non-null value. */
  boolean has(String key) {
    Node node = entries.get(key);
    return node != null && !isNull(node);
  }

  /** The value node of a key, or null when absent or YAML null. */
  Node node(String key) {
    return has(key) ? entries.get(key) : null;
  }

  /**
   * Reports {@code message} at the key when it holds fewer than {@code min} items: absent or a short
   * list. A value that is no list at all was already reported by {@link #list}, and so was an item of a
   * list that is no mapping (this mapping is then not valid).
   */
  void requireItems(String key, List<?> items, int min, String message) {
    Node node = node(key);
    if (valid && (node == null || node instanceof SequenceNode) && (items == null || items.size() < min)) {
      errors.add(child(key), message);
    }
  }

  /** A single value as text (numbers and booleans as written), or {@code dflt}. */
  String text(String key, String dflt) {
    String value = scalar(node(key), child(key), errors);
    return value == null ? dflt : value;
  }

  /** A text value that must be present; "" (after reporting) when it is not. */
  String requiredText(String key) {
    String value = text(key, null);
    if (value == null || value.isBlank()) {
      if (valid && (node(key) == null || node(key) instanceof ScalarNode)) { // else text() reported it
        errors.add(child(key), "required");
      }
      return "";
    }
    return value.strip();
  }

  boolean bool(String key, boolean dflt) {
    String value = text(key, null);
    if (value == null) {
      return dflt;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on":
        return true;
      case "false", "no", "off":
        return false;
      default:
        errors.add(child(key), "expected true or false, got '" + value + "'");
        return dflt;
    }
  }

  /** A whole number within [min, max]; {@code unlimited} (if not null) is what the word "unlimited" reads as. */
  long number(String key, long dflt, long min, long max, Long unlimited) {
    return quantity(key, dflt, min, max, unlimited, Quantities::number, "");
  }

  /** A size (36MB, 256KB, 1GB or bytes) within [min, max] bytes. */
  long size(String key, long dflt, long min, long max, Long unlimited) {
    return quantity(key, dflt, min, max, unlimited, Quantities::bytes, " bytes");
  }

  /** A duration (10m, 30s, 1h, 00:10:00 or seconds) within [min, max] seconds. */
  long seconds(String key, long dflt, long min, long max) {
    return quantity(key, dflt, min, max, null, Quantities::seconds, " seconds");
  }

  private long quantity(String key, long dflt, long min, long max, Long unlimited,
      ToLongFunction<String> parse, String unit) {
    String value = text(key, null);
    if (value == null) {
      return dflt;
    }
    if (value.strip().equalsIgnoreCase("unlimited")) {
      if (unlimited != null) {
        return unlimited;
      }
      errors.add(child(key), "'unlimited' is not allowed here; give a value from " + min + " to " + max + unit);
      return dflt;
    }
    long parsed;
    try {
      parsed = parse.applyAsLong(value);
    } catch (IllegalArgumentException e) {
      errors.add(child(key), e.getMessage());
      return dflt;
    }
    if (parsed < min || parsed > max) {
      errors.add(child(key), value.strip() + (unit.isEmpty() || value.strip().equals(Long.toString(parsed))
          ? "" : " (" + parsed + unit + ")") + " out of range (" + min + "-" + max + ")"
          + (unlimited != null ? " or unlimited" : ""));
      return dflt;
    }
    return parsed;
  }

  /** One of an enum's constants, matched without regard to case (as Exchange cmdlets do). */
  <E extends Enum<E>> E choice(String key, Class<E> type, E dflt) {
    String value = text(key, null);
    return value == null ? dflt : choice(value, type, child(key), errors, dflt);
  }

  static <E extends Enum<E>> E choice(String value, Class<E> type, String path, ConfigErrors errors, E dflt) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value.strip())) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name());
    }
    errors.add(path, "'" + value + "' is not one of " + String.join(", ", names));
    return dflt;
  }

  /** The items of a list, or null when the key is absent; a non-list is reported and reads as empty. */
  List<Node> list(String key) {
    Node node = node(key);
    if (node == null) {
      return null;
    }
    if (node instanceof SequenceNode seq) {
      List<Node> items = seq.getValue();
      for (int i = 0; i < items.size(); i++) {
        errors.seen(child(key) + "[" + i + "]", items.get(i));
      }
      return items;
    }
    errors.add(child(key), "expected a list ([a, b] or lines starting with '- '), got " + describe(node));
    return List.of();
  }

  /** A scalar's text, or null for YAML null; anything else is reported and reads as null. */
  static String scalar(Node node, String path, ConfigErrors errors) {
    if (node == null || isNull(node)) {
      return null;
    }
    if (node instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    errors.add(path, "expected a single value, got " + describe(node));
    return null;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
