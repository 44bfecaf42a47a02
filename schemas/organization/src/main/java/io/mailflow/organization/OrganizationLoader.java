package io.mailflow.organization;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * OrganizationLoader - reads one YAML organization file into a validated {@link Organization}.
 *
 * <p>Three steps: SnakeYAML composes a node tree (never Java objects: the file cannot instantiate
 * classes), {@link OrganizationReader} builds the records with defaults and checks each value, and
 * {@link OrganizationValidator} checks what spans objects. Problems from all three are collected, then
 * thrown together in one {@link OrganizationException}. Keys and defaults: the module README.
 */
public final class OrganizationLoader {
  /** The built-in demo, next to this class on the class path. */
  public static final String DEMO_RESOURCE = "demo-organization.yaml";
  private static final int MAX_ALIASES = 50; // an alias bomb must not exhaust memory
  // SnakeYAML's default (3 MB) is about 30,000 mailboxes; large organizations are bigger than that.
  private static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

  private OrganizationLoader() {}

  /** Loads and validates the file; the exception lists every problem with its path and line. */
  public static Organization load(Path file) throws OrganizationException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw failure(file.toString(), "cannot read the file: it does not exist");
    } catch (CharacterCodingException e) {
      throw failure(file.toString(), "cannot read the file: it is not UTF-8 text");
    } catch (IOException e) {
      throw failure(file.toString(), "cannot read the file: " + e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), dir == null ? Path.of("") : dir);
  }

  /**
   * Parses and validates YAML text.
   *
   * @param sourceName names the text in error messages (a file name)
   */
  public static Organization parse(String yaml, String sourceName) throws OrganizationException {
    return parse(yaml, sourceName, Path.of(""));
  }

  /** As {@link #parse(String, String)}; relative file paths in it (certificates) resolve against {@code baseDir}. */
  private static Organization parse(String yaml, String sourceName, Path baseDir) throws OrganizationException {
    ConfigErrors errors = new ConfigErrors();
    Node root = compose(yaml, errors);
    if (!errors.isEmpty()) {
      throw new OrganizationException(sourceName, errors.sorted());
    }
    if (root == null) {
      throw failure(sourceName, "the file is empty; it needs at least serverName and acceptedDomains");
    }
    OrganizationReader reader = new OrganizationReader(errors, baseDir);
    Organization organization = reader.read(root);
    // Runs even after reading problems: it skips what the reader reported, so nothing is told twice.
    new OrganizationValidator(organization, reader.implied(), errors).validate();
    if (!errors.isEmpty()) {
      throw new OrganizationException(sourceName, errors.sorted());
    }
    return organization;
  }

  /** The built-in demo organization (contoso.test, alice, bob, team; see the README). */
  public static Organization demo() {
    return Demo.ORGANIZATION;
  }

  /** The demo's YAML text, e.g. for {@code mailflow} to write out as a starting point. */
  public static String demoYaml() {
    try (InputStream in = OrganizationLoader.class.getResourceAsStream(DEMO_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + DEMO_RESOURCE + " missing next to " + OrganizationLoader.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Node compose(String yaml, ConfigErrors errors) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(MAX_CODE_POINTS);
    try {
      return new Yaml(options).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      errors.addToFile(syntaxError(e));
    } catch (YAMLException e) {
      errors.addToFile("not valid YAML: " + e.getMessage());
    }
    return null;
  }

  /** "syntax error at line 3, column 7: mapping values are not allowed here". */
  private static String syntaxError(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    StringBuilder text = new StringBuilder("syntax error");
    if (mark != null) {
      text.append(" at line ").append(mark.getLine() + 1).append(", column ").append(mark.getColumn() + 1);
    }
    String problem = e.getProblem() != null ? e.getProblem() : "";
    String context = e.getContext();
    if (context != null && !context.startsWith("while")) { // "expected a single document", "but found another"
      text.append(": ").append(context).append(problem.isEmpty() ? "" : ", " + problem);
    } else {
      text.append(": ").append(problem.isEmpty() && context != null ? context : problem);
      if (context != null && !problem.isEmpty() && e.getContextMark() != null) {
        text.append(" (").append(context).append(" started at line ").append(e.getContextMark().getLine() + 1).append(')');
      }
    }
    if (problem.contains("<block end>") || problem.contains("<block mapping start>")) {
      text.append("; check the indentation");
    }
    return text.toString();
  }

  private static OrganizationException failure(String sourceName, String message) {
    return new OrganizationException(sourceName, List.of(new ConfigError("", message, 0)));
  }

  /** Parsed on first use; a broken demo is a build defect, hence unchecked. */
  private static final class Demo {
    static final Organization ORGANIZATION = parseDemo();

    private static Organization parseDemo() {
      try {
        return parse(demoYaml(), DEMO_RESOURCE);
      } catch (OrganizationException e) {
        throw new IllegalStateException("the built-in demo organization is invalid:\n" + e.getMessage(), e);
      }
    }
  }
}
