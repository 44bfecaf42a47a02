package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar, run as the README says: `java -jar ops/target/mailflow.jar run`. Catches what only the
 * packaged jar can get wrong (a dependency left out of it, a missing service file, the main class).
 * Run by failsafe after `package`.
 */
class PackagedJarCheck {
  @TempDir Path dir;

  private Process mailflow(Path log, String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        System.getProperty("mailflow.jar", "../target/mailflow.jar")));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  @Test
  void runDeliversMailAndStopsCleanlyOnSigterm() throws Exception {
    int port = TestPorts.free();
    Path config = dir.resolve("org.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(port, 1));
    Path dataDir = dir.resolve("data");
    Path log = dir.resolve("run.log");
    Process run = mailflow(log, "run", "--config", config.toString(), "--data-dir", dataDir.toString(),
        "--kafka-port", "0", "--admin-port", "0");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("mailflow is running")) {
        assertTrue(run.isAlive(), "mailflow run exited:\n" + Files.readString(log));
        assertTrue(System.nanoTime() < deadline, "not running after 60 s:\n" + Files.readString(log));
        Thread.sleep(100);
      }
      assertTrue(Files.readString(log).contains("Default Frontend EX01 listening on 127.0.0.1:" + port),
          Files.readString(log));

      MailflowRunIT.send(port, "packaged jar", "team@contoso.test");
      assertEquals(1, MailflowRunIT.awaitMessages(dataDir, "bob@contoso.test", "packaged jar", 1).size(),
          "delivered to bob through the packaged jar:\n" + Files.readString(log));
    } finally {
      run.destroy(); // SIGTERM, as Ctrl-C or a service manager would
      assertTrue(run.waitFor(60, TimeUnit.SECONDS), "mailflow did not stop within 60 s of SIGTERM");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(!output.contains("Exception in thread"), output);
    assertTrue(output.contains("embedded Kafka") || output.contains("kafka"), output);
  }

  @Test
  void oneRolePerProcessAgainstOneClusterMovesMailLikeRunDoes() throws Exception {
    Path kafkaDir = dir.resolve("cluster");
    try (io.mailflow.kafka.embedded.EmbeddedKafka kafka = io.mailflow.kafka.embedded.EmbeddedKafka.start(kafkaDir, 0)) {
      int port = TestPorts.free();
      Path config = dir.resolve("roles.yaml");
      Files.writeString(config, MailflowRunIT.organizationYaml(port, 1));
      Path dataDir = dir.resolve("roles-data");
      List<Process> roles = new java.util.ArrayList<>();
      try {
        for (String role : List.of("delivery", "routing", "categorizer", "categorizer", "edge")) {
          roles.add(mailflow(dir.resolve(role + "-" + roles.size() + ".log"), role, "--bootstrap",
              kafka.bootstrapServers(), "--config", config.toString(), "--data-dir", dataDir.toString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path edgeLog = dir.resolve("edge-4.log");
        while (!Files.readString(edgeLog).contains("running against Kafka")) {
          assertTrue(roles.get(4).isAlive(), "edge exited:\n" + Files.readString(edgeLog));
          assertTrue(System.nanoTime() < deadline, "edge not up after 60 s:\n" + Files.readString(edgeLog));
          Thread.sleep(100);
        }

        for (int i = 0; i < 5; i++) {
          MailflowRunIT.send(port, "roles " + i, "team@contoso.test");
        }
        for (int i = 0; i < 5; i++) {
          assertEquals(1, MailflowRunIT.awaitMessages(dataDir, "alice@contoso.test", "roles " + i, 1).size(),
              "message " + i + " through four role processes");
        }
      } finally {
        for (Process role : roles) {
          role.destroy();
        }
        for (Process role : roles) {
          assertTrue(role.waitFor(60, TimeUnit.SECONDS), "a role did not stop within 60 s of SIGTERM");
        }
      }
    }
  }

  @Test
  void busyKafkaPortIsOneLineOnTheTerminalAndTheDetailIsInTheLogFile() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path dataDir = dir.resolve("busy");
      Path log = dir.resolve("busy.out");
      Process run = mailflow(log, "run", "--data-dir", dataDir.toString(), "--kafka-port",
          String.valueOf(busy.getLocalPort()));

      assertTrue(run.waitFor(60, TimeUnit.SECONDS));
      assertEquals(1, run.exitValue(), Files.readString(log));
      List<String> errors = Files.readAllLines(log).stream().filter(l -> l.startsWith("mailflow: ")).toList();
      assertEquals(List.of("mailflow: cannot start embedded Kafka: 127.0.0.1:" + busy.getLocalPort()
          + " is already in use"), errors);
      assertTrue(Files.readAllLines(log).stream().noneMatch(l -> l.contains("\tat ") || l.contains("Exception")),
          "no stack trace on the terminal:\n" + Files.readString(log));
      assertTrue(Files.readString(dataDir.resolve("mailflow.log")).contains("Address already in use"),
          "the detail is in the log file");
    }
  }

  @Test
  void brokenConfigExitsTwoWithOneLine() throws Exception {
    Path config = dir.resolve("broken.yaml");
    Files.writeString(config, "serverName: EX01\nacceptedDomains: [contoso.test]\nmailboxes: [ { name: X } ]\n");
    Path log = dir.resolve("broken.log");

    Process run = mailflow(log, "run", "--config", config.toString(), "--data-dir", dir.resolve("d").toString());

    assertTrue(run.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, run.exitValue(), Files.readString(log));
    List<String> lines = Files.readAllLines(log);
    assertEquals(1, lines.size(), "one line:\n" + String.join("\n", lines));
    assertTrue(lines.get(0).startsWith("mailflow: ") && lines.get(0).contains("mailboxes[0]"), lines.get(0));
  }
}
