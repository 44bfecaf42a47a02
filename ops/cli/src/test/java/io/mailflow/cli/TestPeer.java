package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * TestPeer - a real program a test talks to (Prometheus, testssl.sh ...), installed by ops/ci/install-test-peers.sh.
 * As edge-smtp/server's ClientProcess.require: without it a test skips on a developer's machine and fails on CI,
 * where the peers must be there.
 */
final class TestPeer {
  private TestPeer() {}

  /** Returns if {@code binary} can be run; else skips, or fails when the environment variable CI is set. */
  static void require(Path binary, String missing) {
    if (Files.isExecutable(binary)) {
      return;
    }
    String ci = System.getenv("CI");
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
      fail(missing + ", and CI is set: the interop tests must run on CI");
    }
    Assumptions.abort(missing);
  }
}
