package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mailflow broker` refuses what it cannot run with one line naming the option or the address. */
class BrokerCommandIT {
  @TempDir Path dir;

  @Test
  void aMalformedQuorumEntryIsNamed() {
    CliRun r = CliRun.mailflow("broker", "--node-id", "1", "--controller-quorum", "1@127.0.0.1:29191,2@127.0.0.1",
        "--data-dir", dir.toString());
    assertEquals(Mailflow.EXIT_FAILURE, r.exit());
    assertEquals("mailflow: --controller-quorum: '2@127.0.0.1' is not id@host:port (e.g. 1@127.0.0.1:29093)",
        r.err().strip());
  }

  @Test
  void aNodeOutsideItsQuorumIsNamed() {
    CliRun r = CliRun.mailflow("broker", "--node-id", "4", "--controller-quorum", "1@127.0.0.1:29191",
        "--data-dir", dir.toString());
    assertEquals(Mailflow.EXIT_FAILURE, r.exit());
    assertTrue(r.err().startsWith("mailflow: node id 4 is not in the controller quorum 1@127.0.0.1:29191"), r.err());
  }

  @Test
  void aBrokerPortInUseIsNamed() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket controller = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int controllerPort = controller.getLocalPort();
      controller.close(); // a free port to name in the quorum
      CliRun r = CliRun.mailflow("broker", "--node-id", "1", "--port", String.valueOf(busy.getLocalPort()),
          "--controller-quorum", "1@127.0.0.1:" + controllerPort, "--data-dir", dir.toString());
      assertEquals(Mailflow.EXIT_FAILURE, r.exit());
      assertEquals("mailflow: cannot start embedded Kafka: 127.0.0.1:" + busy.getLocalPort() + " is already in use",
          r.err().strip());
    }
  }
}
