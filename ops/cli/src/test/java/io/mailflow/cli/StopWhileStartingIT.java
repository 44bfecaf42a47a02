package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: `mailflow run` stops cleanly at any moment of its start. The edge greets clients before the rest of the
 * node has started; a SIGTERM sent the moment it listens (before, that was before the shutdown hook existed, and the
 * JVM exited with the embedded broker still running) must still stop the broker cleanly: Kafka writes its
 * clean-shutdown marker only then, and without it the next start recovers every log as after a crash.
 */
class StopWhileStartingIT {
  @TempDir Path dir;

  @Test
  void aSigtermAsSoonAsTheEdgeListensStillStopsTheBrokerCleanly() throws Exception {
    Path config = dir.resolve("org.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(TestPorts.free(), 1));
    Path dataDir = dir.resolve("data");
    Path out = dir.resolve("run.out");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Mailflow.class.getName(), "run", "--config", config.toString(), "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--admin-port", "0"));
    Process run = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(dir.resolve("run.err").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!edgeListening(out)) {
        assertTrue(run.isAlive(), "mailflow run exited:\n" + Files.readString(out));
        assertTrue(System.nanoTime() < deadline, "the edge did not listen within 60 s:\n" + Files.readString(out));
        Thread.sleep(10);
      }
      run.destroy(); // SIGTERM, at once
      assertTrue(run.waitFor(90, TimeUnit.SECONDS), "still running 90 s after SIGTERM:\n" + Files.readString(out));
    } finally {
      run.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(dataDir.resolve("kafka"))) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().equals(".kafka_cleanshutdown")),
          "the broker was not stopped cleanly (no .kafka_cleanshutdown):\n" + Files.readString(out) + "\n"
              + Files.readString(dir.resolve("run.err")));
    }
  }

  private static boolean edgeListening(Path out) throws IOException {
    return Files.readString(out).lines().anyMatch(l -> l.startsWith("edge ") && l.contains("listening on"));
  }
}
