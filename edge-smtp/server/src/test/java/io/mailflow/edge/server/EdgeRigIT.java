package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * EdgeRig's lifecycle, driven by hand the way JUnit drives the extension: what a test started is closed after
 * it, what the class started stays up until the class ends, and an edge closed early is not closed twice.
 */
class EdgeRigIT {

  @Test
  void whatATestStartedIsClosedAfterItWhileTheClassesEdgeStaysUpUntilTheClassEnds() throws Exception {
    EdgeRig rig = EdgeRig.inMemory();
    rig.beforeAll(null);
    InetSocketAddress classAddress;
    try {
      SmtpEdge classEdge = rig.start(TestOrganization.standard(), new RecordingPublisher(), EdgeEvents.NONE);
      classAddress = classEdge.listening(TestOrganization.FRONTEND).get(0);
      rig.beforeEach(null);
      SmtpEdge testEdge = rig.start(TestOrganization.standard(), new RecordingPublisher(), EdgeEvents.NONE);
      SmtpTestClient client = rig.client(testEdge, TestOrganization.FRONTEND);
      client.reply();
      rig.afterEach(null); // as after a failed test: nothing of the test's was closed by the test

      assertThrows(IOException.class, () -> client.command("NOOP"), "the test's client is closed");
      InetSocketAddress testAddress = testEdge.listening(TestOrganization.FRONTEND).get(0);
      await().atMost(Duration.ofSeconds(5)).until(() -> refuses(testAddress));
      assertFalse(refuses(classAddress), "the class's edge is still up");
    } finally {
      rig.afterAll(null);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> refuses(classAddress));
  }

  @Test
  void anEdgeClosedEarlyIsNotClosedAgain() throws Exception {
    EdgeRig rig = EdgeRig.inMemory();
    rig.beforeAll(null);
    try {
      rig.beforeEach(null);
      SmtpEdge edge = rig.start(TestOrganization.standard(), new RecordingPublisher(), EdgeEvents.NONE);
      rig.close(edge);
      rig.afterEach(null); // undeploying the edge a second time would fail here
      assertThrows(IllegalArgumentException.class, () -> rig.close(edge));
    } finally {
      rig.afterAll(null);
    }
  }

  private static boolean refuses(InetSocketAddress address) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address, 2000);
      return false;
    } catch (ConnectException refused) {
      return true;
    }
  }
}
