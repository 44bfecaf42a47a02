package io.mailflow.delivery.agent;

import io.mailflow.organization.SendConnector.DnsServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Dnsmasq - a real DNS server for tests: Debian's dnsmasq (package dnsmasq-base) in the foreground on a
 * free loopback port, answering only the records given, and NXDOMAIN for any other name under .test.
 * A test using it is skipped when dnsmasq is not installed (ops/ci/install-test-peers.sh installs it).
 */
final class Dnsmasq implements AutoCloseable {

  private final Process process;
  private final int port;

  private Dnsmasq(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts dnsmasq with extra options such as {@code --mx-host=...} and {@code --host-record=...}. */
  static Dnsmasq startOrSkip(String... records) throws Exception {
    Path binary = List.of(Path.of("/usr/sbin/dnsmasq"), Path.of("/usr/bin/dnsmasq")).stream()
        .filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(binary != null,
        "dnsmasq not installed (Debian dnsmasq-base; ops/ci/install-test-peers.sh installs it)");
    // a UDP port free now may be taken on TCP (dnsmasq binds both) by another process's outgoing connection, and
    // dnsmasq then exits at once: try other ports rather than let the test wait for an answer that never comes
    String lastOutput = "";
    for (int attempt = 1; attempt <= 5; attempt++) {
      int port;
      try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      List<String> command = new ArrayList<>(List.of(binary.toString(), "--no-daemon", "--port=" + port,
          "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--local=/test/",
          // stay the user we are (root in CI containers) instead of dropping to 'nobody'
          "--user=" + System.getProperty("user.name")));
      command.addAll(List.of(records));
      Path log = Files.createTempFile("dnsmasq-", ".log");
      log.toFile().deleteOnExit();
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!process.waitFor(500, TimeUnit.MILLISECONDS)) { // still running after half a second: it listens
        return new Dnsmasq(process, port);
      }
      lastOutput = Files.readString(log).strip();
      Files.deleteIfExists(log);
    }
    throw new IllegalStateException("dnsmasq exited at start five times; last said: " + lastOutput);
  }

  DnsServer server() {
    return new DnsServer("127.0.0.1", port);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
