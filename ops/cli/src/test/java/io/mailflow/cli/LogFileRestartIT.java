package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mailflow run` as its own process (Mailflow.main, so LogFile takes over stderr as it does for users): after a
 * kill -9 and a restart on the same data dir, the crashed run's log is still in mailflow.log, after a start line
 * of its own, and the restart adds a second start line.
 */
class LogFileRestartIT {
  @TempDir Path dir;

  private Process mailflow(Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Mailflow.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectOutput(output.toFile())
        .redirectError(output.resolveSibling(output.getFileName() + ".err").toFile()).start();
  }

  @Test
  void aRestartAfterKillNineAppendsToTheCrashedRunsLog() throws Exception {
    Path config = dir.resolve("org.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(TestPorts.free(), 1));
    Path dataDir = dir.resolve("data");
    Path out = dir.resolve("first.out");
    Process first = mailflow(out, "run", "--config", config.toString(), "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--admin-port", "0");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(out).contains("mailflow is running")) {
        assertTrue(first.isAlive(), "mailflow run exited:\n" + Files.readString(out));
        assertTrue(System.nanoTime() < deadline, "not running after 60 s:\n" + Files.readString(out));
        Thread.sleep(100);
      }
      assertTrue(Files.readString(out).contains("log           " + dataDir.resolve("mailflow.log").toAbsolutePath()),
          Files.readString(out));
    } finally {
      first.destroyForcibly(); // kill -9: no shutdown hook, nothing flushed on the way out
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
    }
    Path log = dataDir.resolve(LogFile.FILE_NAME);
    String crashed = Files.readString(log);
    assertEquals(1, crashed.lines().filter(l -> l.contains("==== mailflow ")).count(), crashed);
    assertTrue(crashed.lines().count() > 1, "the first run logged more than its start line:\n" + crashed);

    // the restart fails at once (its --mail-store is a file): one line on the terminal, and the log kept
    Path notADir = Files.writeString(dir.resolve("store-file"), "x");
    Path second = dir.resolve("second.out");
    Process restart = mailflow(second, "run", "--config", config.toString(), "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--admin-port", "0", "--mail-store", notADir.toString());
    assertTrue(restart.waitFor(60, TimeUnit.SECONDS));
    String terminalErr = Files.readString(dir.resolve("second.out.err"));
    assertEquals(1, restart.exitValue(), terminalErr);
    assertEquals("mailflow: --mail-store " + notADir.toAbsolutePath() + " is not a directory", terminalErr.strip());

    String after = Files.readString(log);
    assertTrue(after.startsWith(crashed), "the crashed run's log is still there, unchanged, at the start");
    List<String> starts = after.lines().filter(l -> l.contains("==== mailflow ")).toList();
    assertEquals(2, starts.size(), after);
    assertTrue(starts.get(1).matches("\\S+Z ==== mailflow \\S+ starting, pid " + restart.pid() + " ===="),
        starts.get(1));
  }
}
