package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * ClientProcess - runs an independent SMTP client program (curl, swaks, python3) to its end, bounded
 * by a timeout, and gives back its exit code and everything it wrote (stdout and stderr together).
 */
final class ClientProcess {
  private ClientProcess() {}

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  record Result(int exit, String output) {
    List<String> lines() {
      return output.lines().toList();
    }
  }

  /**
   * Skips the test when {@code program} is not on the PATH of a developer's machine; fails it on CI
   * (environment variable CI set), where ops/ci/install-test-peers.sh must have installed it: a real
   * client silently skipped there would leave the extension it checks untested.
   */
  static void require(String program) {
    requireThat(onPath(program), program + " is not installed (ops/ci/install-test-peers.sh installs it)");
  }

  /** As {@link #require}: skips without {@code present} on a developer's machine, fails on CI. */
  static void requireThat(boolean present, String why) {
    if (present) {
      return;
    }
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
      fail(why + ", and CI is set: the real-client tests must run on CI");
    }
    Assumptions.abort(why);
  }

  static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, TIMEOUT);
  }

  /** Output goes to a file, not a pipe: a client that hangs cannot block the reader past the timeout. */
  static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
    Path output = Files.createTempFile("mailflow-client", ".out");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command.get(0) + " did not finish within " + timeout.toSeconds() + " s: " + command
            + "\n" + text(output));
      }
      return new Result(process.exitValue(), text(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String text(Path output) throws IOException {
    return new String(Files.readAllBytes(output), StandardCharsets.UTF_8); // lenient: a client may print any bytes
  }

  static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
