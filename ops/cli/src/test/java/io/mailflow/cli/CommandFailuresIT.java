package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input at start: one clear line saying what and where, and a non-zero exit, never a stack trace. */
class CommandFailuresIT {
  @TempDir Path dir;

  private static void assertOneLine(CliRun outcome, String... fragments) {
    assertEquals(1, outcome.err().lines().count(), "one line on stderr, got:\n" + outcome.err());
    for (String fragment : fragments) {
      assertTrue(outcome.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + outcome.err());
    }
  }

  @Test
  void brokenConfigNamesEachProblemWithItsPathAndExitsTwo() throws Exception {
    Path config = dir.resolve("broken.yaml");
    Files.writeString(config, """
        serverName: EX01
        acceptedDomains: [contoso.test]
        receiveConnectors:
          - { name: A, bindings: ["127.0.0.1:2525"] }
          - { name: B, bindings: ["127.0.0.1:99999"] }
        """);

    CliRun outcome = mailflow("run", "--config", config.toString(), "--data-dir", dir.resolve("d").toString());

    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("receiveConnectors[1].bindings[0]: port 99999 out of range"), outcome.err());
    assertTrue(outcome.err().startsWith("mailflow: "), outcome.err());
    assertTrue(!outcome.err().contains("\tat "), "no stack trace:\n" + outcome.err());
  }

  @Test
  void busyReceiveConnectorPortIsOneClearLine() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("org.yaml");
      Files.writeString(config, MailflowRunIT.organizationYaml(busy.getLocalPort(), 1));

      CliRun outcome = mailflow("run", "--config", config.toString(), "--data-dir", dir.resolve("d").toString(),
          "--kafka-port", "0");

      assertEquals(1, outcome.exit());
      assertOneLine(outcome, "Default Frontend EX01", "127.0.0.1:" + busy.getLocalPort());
    }
  }

  @Test
  void busyAdminPortIsOneClearLine() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("admin.yaml");
      Files.writeString(config, MailflowRunIT.organizationYaml(TestPorts.free(), 1));

      CliRun outcome = mailflow("run", "--config", config.toString(), "--data-dir", dir.resolve("a").toString(),
          "--kafka-port", "0", "--admin-port", String.valueOf(busy.getLocalPort()));

      assertEquals(1, outcome.exit());
      assertOneLine(outcome, "admin server cannot listen on 127.0.0.1:" + busy.getLocalPort());
    }
  }

  @Test
  void anAdminBindThatIsNoIpAddressIsOneClearLine() throws Exception {
    Path config = dir.resolve("bind.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(TestPorts.free(), 1));

    CliRun outcome = mailflow("run", "--config", config.toString(), "--data-dir", dir.resolve("b").toString(),
        "--kafka-port", "0", "--admin-port", "0", "--admin-bind", "admin.example");

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "--admin-bind takes an IP address", "'admin.example'");
    assertEquals("", outcome.out(), "refused before anything starts or is printed");
    assertFalse(Files.exists(dir.resolve("b").resolve("kafka")), "no broker was started");
  }

  @Test
  void noAdminWithAnAdminBindIsOneClearLine() throws Exception {
    Path config = dir.resolve("no-admin.yaml");
    Files.writeString(config, MailflowRunIT.organizationYaml(TestPorts.free(), 1));

    CliRun outcome = mailflow("run", "--config", config.toString(), "--data-dir", dir.resolve("n").toString(),
        "--kafka-port", "0", "--no-admin", "--admin-bind", "127.0.0.1");

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "--no-admin and --admin-bind contradict each other");
    assertFalse(Files.exists(dir.resolve("n").resolve("kafka")), "no broker was started");
  }

  @Test
  void theDemoWithABadAdminBindMakesNoPasswords() throws Exception {
    Path data = dir.resolve("demo-bad-bind");
    CliRun outcome = mailflow("run", "--data-dir", data.toString(), "--kafka-port", "0", "--admin-port", "0",
        "--admin-bind", "localhost");

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "--admin-bind takes an IP address", "'localhost'");
    assertFalse(Files.exists(data.resolve(DemoCredentials.DIR)), "no demo passwords made for a run that never started");
  }

  @Test
  void adminServerBeyondLoopbackWithoutACertificateIsRefused() {
    // the node always has its self-signed certificate, so this is AdminServerOptions' own rule
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new io.mailflow.admin.AdminServerOptions("0.0.0.0", 0, null, null, false, java.time.Duration.ofSeconds(1), null));
    assertTrue(e.getMessage().contains("plain HTTP on loopback only"), e.getMessage());
  }

  @Test
  void busyKafkaPortIsOneClearLine() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun outcome = mailflow("run", "--data-dir", dir.resolve("d").toString(),
          "--kafka-port", String.valueOf(busy.getLocalPort()));

      assertEquals(1, outcome.exit());
      assertOneLine(outcome, String.valueOf(busy.getLocalPort()), "in use");
    }
  }

  @Test
  void unreachableKafkaClusterIsOneClearLine() {
    int closed = TestPorts.free();
    CliRun outcome = mailflow("categorizer", "--bootstrap", "127.0.0.1:" + closed);

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "cannot reach Kafka at 127.0.0.1:" + closed);
  }

  @Test
  void aMailStoreThatIsAFileIsOneClearLineBeforeAnythingStarts() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    CliRun outcome = mailflow("run", "--data-dir", dir.resolve("m").toString(), "--kafka-port", "0",
        "--admin-port", "0", "--mail-store", file.toString());

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "--mail-store " + file.toAbsolutePath() + " is not a directory");
    assertFalse(Files.exists(dir.resolve("m").resolve("kafka")), "no broker was started");
  }

  @Test
  void aMailStoreThatCannotBeMadeIsOneClearLineForDelivery() throws Exception {
    Path underAFile = Files.writeString(dir.resolve("file"), "x").resolve("store");
    CliRun outcome = mailflow("delivery", "--bootstrap", "127.0.0.1:" + TestPorts.free(), "--mail-store",
        underAFile.toString());

    assertEquals(1, outcome.exit());
    assertOneLine(outcome, "--mail-store " + underAFile.toAbsolutePath() + " cannot be created");
  }

  @Test
  void aMailStoreThatIsNotWritableIsOneClearLine() throws Exception {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-x------"));
    // root (CI) writes past permissions, but not into an immutable directory
    boolean immutable = Files.isWritable(readOnly) && new ProcessBuilder("chattr", "+i", readOnly.toString())
        .redirectErrorStream(true).start().waitFor() == 0;
    try {
      org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly),
          "the directory stays writable (root without chattr)");
      CliRun outcome = mailflow("delivery", "--bootstrap", "127.0.0.1:" + TestPorts.free(), "--mail-store",
          readOnly.toString());

      assertEquals(1, outcome.exit());
      assertOneLine(outcome, "--mail-store " + readOnly.toAbsolutePath() + " is not writable");
    } finally {
      if (immutable) {
        new ProcessBuilder("chattr", "-i", readOnly.toString()).start().waitFor(); // so @TempDir can delete it
      }
    }
  }
}
