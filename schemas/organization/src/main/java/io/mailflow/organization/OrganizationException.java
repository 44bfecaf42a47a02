package io.mailflow.organization;

import java.util.List;

/**
 * OrganizationException - an organization file that cannot be used, with every problem found in it.
 *
 * <p>{@link #errors()} gives each problem as {@code path: message}, e.g.
 * {@code receiveConnectors[1].bindings[0]: port 99999 out of range (1-65535)}; {@link #getMessage()}
 * lists them one per line, each prefixed by the file name and, where known, the line:
 * {@code org.yaml:14: receiveConnectors[1].bindings[0]: port 99999 out of range (1-65535)}.
 */
public final class OrganizationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String sourceName;
  private final transient List<String> errors;

  OrganizationException(String sourceName, List<ConfigError> problems) {
    super(render(sourceName, problems));
    this.sourceName = sourceName;
    this.errors = problems.stream().map(ConfigError::toString).toList();
  }

  /** Every problem, in file order, as {@code path: message} (syntax errors name line and column instead). */
  public List<String> errors() {
    return errors;
  }

  /** The file (or other source) the problems are in. */
  public String sourceName() {
    return sourceName;
  }

  private static String render(String sourceName, List<ConfigError> problems) {
    StringBuilder text = new StringBuilder();
    for (ConfigError problem : problems) {
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(sourceName);
      if (problem.line() > 0) {
        text.append(':').append(problem.line());
      }
      text.append(": ").append(problem);
    }
    return text.toString();
  }
}
