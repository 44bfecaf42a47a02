package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ScriptedParser - an independent program that reads a report as its readers would (Python's {@code email} package,
 * Sisimai): a script run by {@code interpreter} on the message in a file, one line of facts per line of output.
 * Skips the calling test when the interpreter (or its library) is missing, unless CI is set: then it fails, since
 * ops/ci/install-test-peers.sh installs them.
 *
 * @param name what the test reports as missing or failing ("python3", "Sisimai")
 * @param probe a command that succeeds exactly when the parser can run
 */
record ScriptedParser(String name, String interpreter, String script, String suffix, List<String> probe,
    String install) {

  /** The parser's lines for {@code message}, written to and read from {@code dir}. */
  List<String> parse(byte[] message, Path dir) throws IOException, InterruptedException {
    boolean available = available();
    if (!available && System.getenv("CI") != null) {
      throw new AssertionError(name + " is not installed, and CI is set: ops/ci/install-test-peers.sh installs "
          + install);
    }
    assumeTrue(available, name + " (" + install + ") is not installed: skipping the independent parser check");
    Path eml = Files.createTempFile(dir, "dsn", ".eml");
    Path file = Files.createTempFile(dir, "parser", suffix);
    Files.write(eml, message);
    Files.writeString(file, script);
    Path output = Files.createTempFile(dir, "parser", ".out");
    Process p = new ProcessBuilder(interpreter, file.toString(), eml.toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish within 60 s");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), name + " failed:\n" + text);
    return text.lines().toList();
  }

  private boolean available() {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(probe)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
