package io.mailflow.organization;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * ConfigErrors - collects every problem of one organization file, so the admin fixes them in one go
 * instead of one per run.
 *
 * <p>Remembers the line of every path it has seen, so that checks made later on the built records
 * (which know only paths) still point at a line of the file.
 */
final class ConfigErrors {
  private final List<ConfigError> errors = new ArrayList<>();
  private final Map<String, Integer> lines = new HashMap<>();

  /** Records where {@code path} is in the file. */
  void seen(String path, Node node) {
    if (node != null && node.getStartMark() != null) {
      lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
    }
  }

  /** True if {@code path} itself is written in the file (not only filled in with its default). */
  boolean written(String path) {
    return lines.containsKey(path);
  }

  /** A problem at a path already {@link #seen}, or at its closest enclosing path. */
  void add(String path, String message) {
    errors.add(new ConfigError(path, message, lineOf(path)));
  }

  /** A problem at a path, located at a particular node (a key, rather than its value). */
  void add(String path, Node node, String message) {
    int line = node != null && node.getStartMark() != null ? node.getStartMark().getLine() + 1 : lineOf(path);
    errors.add(new ConfigError(path, message, line));
  }

  /** A problem of the file as a whole, or one whose message already names its position (YAML syntax). */
  void addToFile(String message) {
    errors.add(new ConfigError("", message, 0));
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  /** Problems in file order; problems with no line come first (they concern the file as a whole). */
  List<ConfigError> sorted() {
    List<ConfigError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(ConfigError::line)); // stable: same line keeps discovery order
    return sorted;
  }

  private int lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
    return 0;
  }
}
