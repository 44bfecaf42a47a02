package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's launch path (Launcher): {@code java -jar mailflow.jar run} re-executes itself with the class-data archive
 * made at package time, passes arguments and exit codes through, and stops with its child; MAILFLOW_NO_RELAUNCH=1
 * keeps one JVM; a SIGTERM soon after a restart that followed a kill -9 still stops the node within a bound.
 * Run by failsafe after `package`, on ops/target/mailflow.jar and its mailflow.jsa.
 */
class PackagedJarLaunchCheck {
  private static final Path JAR = Path.of(System.getProperty("mailflow.jar", "../target/mailflow.jar"))
      .toAbsolutePath().normalize();
  @TempDir Path dir;

  private Process mailflow(Path log, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove(Launcher.NO_RELAUNCH_ENV);
    builder.environment().putAll(env);
    return builder.start();
  }

  private Process run(Path log, Map<String, String> env, Path dataDir, int port) throws Exception {
    Path config = dir.resolve("org.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(port, 1));
    Process run = mailflow(log, env, "run", "--config", config.toString(), "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--admin-port", "0");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.readString(log).contains("mailflow is running")) {
      assertTrue(run.isAlive(), "mailflow run exited:\n" + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "not running after 120 s:\n" + Files.readString(log));
      Thread.sleep(100);
    }
    return run;
  }

  private static List<ProcessHandle> javaChildren(Process launcher) {
    return launcher.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).toList();
  }

  private static String arguments(ProcessHandle p) {
    return String.join(" ", p.info().arguments().orElse(new String[0]));
  }

  @Test
  void runRelaunchesWithTheArchiveAndStopsItsChildOnSigterm() throws Exception {
    assertTrue(Files.isRegularFile(JAR.resolveSibling(Launcher.ARCHIVE)),
        "package makes the class-data archive next to the jar");
    Path log = dir.resolve("run.log");
    Process launcher = run(log, Map.of(), dir.resolve("data"), TestPorts.free());
    List<ProcessHandle> children = javaChildren(launcher);
    try {
      assertEquals(1, children.size(), "one relaunched JVM: " + children);
      String args = arguments(children.get(0));
      assertTrue(args.contains("-XX:SharedArchiveFile=" + JAR.resolveSibling(Launcher.ARCHIVE)), args);
      assertTrue(args.contains("-Xmx") && args.contains("-D" + Launcher.RELAUNCHED_PROPERTY + "=true"), args);
      assertTrue(args.endsWith("-jar " + JAR + " run --config " + dir.resolve("org.yaml") + " --data-dir "
          + dir.resolve("data") + " --kafka-port 0 --admin-port 0"), "the arguments as given: " + args);
    } finally {
      launcher.destroy(); // SIGTERM, as a service manager would
      assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not stop within 60 s of SIGTERM");
    }
    assertFalse(children.get(0).isAlive(), "the child stopped before its launcher exited");
    assertTrue(cleanlyStopped(dir.resolve("data")), "the broker stopped cleanly:\n" + Files.readString(log));
    assertFalse(Files.readString(log).contains("Exception in thread"), Files.readString(log));
  }

  @Test
  void theEscapeHatchRunsInOneJvm() throws Exception {
    Path log = dir.resolve("one.log");
    Process run = run(log, Map.of(Launcher.NO_RELAUNCH_ENV, "1"), dir.resolve("data"), TestPorts.free());
    try {
      assertEquals(List.of(), javaChildren(run), "no relaunched JVM");
    } finally {
      run.destroy();
      assertTrue(run.waitFor(60, TimeUnit.SECONDS), "did not stop within 60 s of SIGTERM");
    }
  }

  @Test
  void exitCodesAndOutputPassThroughTheRelaunch() throws Exception {
    Path log = dir.resolve("version.log");
    Process version = mailflow(log, Map.of(), "--version");
    assertTrue(version.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, version.exitValue());
    assertEquals(List.of("mailflow " + Mailflow.VERSION), Files.readAllLines(log), "nothing but the version");

    Path bad = dir.resolve("bad.log");
    Process unknown = mailflow(bad, Map.of(), "no-such-command");
    assertTrue(unknown.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, unknown.exitValue(), Files.readString(bad)); // picocli's usage error
  }

  @Test
  void aKilledLauncherTakesItsChildWithIt() throws Exception {
    Path log = dir.resolve("orphan.log");
    Process launcher = run(log, Map.of(), dir.resolve("data"), TestPorts.free());
    List<ProcessHandle> children = javaChildren(launcher);
    assertEquals(1, children.size(), children.toString());
    launcher.destroyForcibly(); // kill -9 of the launcher only
    assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
    children.get(0).onExit().get(60, TimeUnit.SECONDS); // the child stops when its launcher is gone
    Path runLog = dir.resolve("data").resolve(LogFile.FILE_NAME); // run's stderr
    assertTrue(Files.readString(runLog).contains("launcher process " + launcher.pid() + " is gone"),
        Files.readString(runLog));
    assertTrue(cleanlyStopped(dir.resolve("data")), "stopped as after a SIGTERM: the broker closed cleanly");
  }

  /** Kafka leaves this marker in its log directory only after a clean shutdown. */
  private static boolean cleanlyStopped(Path dataDir) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(dataDir.resolve("kafka"))) {
      return files.anyMatch(f -> f.getFileName().toString().equals(".kafka_cleanshutdown"));
    }
  }

  @Test
  void aSigtermSoonAfterARestartThatFollowedKillNineStopsTheNodeWithinABound() throws Exception {
    Path data = dir.resolve("data");
    int port = TestPorts.free();
    Process first = run(dir.resolve("first.log"), Map.of(), data, port);
    for (ProcessHandle child : javaChildren(first)) {
      child.destroyForcibly(); // kill -9 of the JVM that holds the broker: an unclean stop
    }
    first.destroyForcibly();
    assertTrue(first.waitFor(30, TimeUnit.SECONDS));

    Path log = dir.resolve("second.log");
    Process second = run(log, Map.of(), data, port);
    long stopAsked = System.nanoTime();
    second.destroy(); // at once: consumers still rejoining their groups as static members of the killed process
    boolean stopped = second.waitFor(60, TimeUnit.SECONDS);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopAsked);
    if (!stopped) {
      second.descendants().forEach(ProcessHandle::destroyForcibly);
      second.destroyForcibly();
    }
    // the stage loops stop together (StageLoop.StopGroup): one after another they took ~36 s here
    assertTrue(stopped && seconds < 30, "stopped " + seconds + " s after SIGTERM (bound 30 s):\n"
        + Files.readString(log));
  }
}
