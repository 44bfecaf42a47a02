package io.mailflow.organization;

/**
 * ConfigError - one problem in an organization file: where (path and line) and what.
 *
 * @param path {@code receiveConnectors[1].bindings[0]}; empty for the file as a whole
 * @param line 1-based line in the file, 0 when unknown or already named in the message
 */
record ConfigError(String path, String message, int line) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
