package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.schemas.avro.ProtocolEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several receive connectors on one binding: one socket, the connector chosen per connection by remote IP. */
class ConnectorSelectionIT {
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private SmtpEdge edge;
  private RecordingEvents events;

  /** A port the OS just handed out and released: two connectors must name the same fixed binding. */
  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return probe.getLocalPort();
    }
  }

  private void start(List<ReceiveConnector> connectors) throws Exception {
    events = new RecordingEvents();
    edge = rig.start(TestOrganization.with(connectors), new RecordingPublisher(), events);
  }

  @Test
  void eachConnectionGetsTheConnectorWithTheMostSpecificRangeOnOneSocket() throws Exception {
    Binding shared = new Binding("127.0.0.1", freePort());
    start(List.of(
        TestOrganization.ranged("Wide", shared, ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, "220 wide"),
        TestOrganization.ranged("Loopback", shared, List.of("127.0.0.0/8"), "220 loopback"),
        TestOrganization.ranged("Scanner", shared, List.of("127.0.0.2"), "220 scanner")));
    assertEquals(1, edge.listening().size(), "one listening socket for the shared binding");
    assertEquals(edge.listening("Wide"), edge.listening("Scanner"));
    InetSocketAddress address = edge.listening().get(0);
    try (SmtpTestClient one = SmtpTestClient.from("127.0.0.1", address);
        SmtpTestClient two = SmtpTestClient.from("127.0.0.2", address)) {
      assertEquals("220 loopback", one.reply());
      assertEquals("220 scanner", two.reply());
      assertTrue(one.command("EHLO client.test").startsWith("250-"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events.protocol.stream()
        .anyMatch(e -> e.getConnectorId().equals("EX01\\Scanner")
            && "Selected receive connector".equals(e.getContext())
            && e.getData().contains("remote IP range 127.0.0.2")));
  }

  @Test
  void aClientNoConnectorServesGets421AndIsDisconnected() throws Exception {
    Binding shared = new Binding("127.0.0.1", freePort());
    start(List.of(TestOrganization.ranged("Lan", shared, List.of("10.0.0.0/8"), null),
        TestOrganization.ranged("Scanner", shared, List.of("127.0.0.2"), "220 scanner")));
    InetSocketAddress address = edge.listening().get(0);
    try (SmtpTestClient client = SmtpTestClient.from("127.0.0.1", address)) {
      assertEquals("421 4.3.2 Service not available, closing transmission channel", client.reply());
      assertNull(client.line(), "closed after the 421");
    }
    try (SmtpTestClient scanner = SmtpTestClient.from("127.0.0.2", address)) {
      assertEquals("220 scanner", scanner.reply(), "the listener stays up for the clients it serves");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events.protocol.stream()
        .map(ProtocolEvent::getEvent).filter("-"::equals).count() >= 1);
  }

  @Test
  void connectorsSharingABindingMustAgreeOnImplicitTls() throws Exception {
    Binding shared = new Binding("127.0.0.1", freePort());
    ReceiveConnector plain = TestOrganization.ranged("Plain", shared, List.of("127.0.0.1"), null);
    ReceiveConnector tls = TestOrganization.ranged("Tls", shared, List.of("127.0.0.0/8"), null);
    tls = new ReceiveConnector(tls.name(), tls.bindings(), tls.remoteIpRanges(), tls.permissionGroups(),
        tls.authMechanisms(), tls.fqdn(), tls.banner(), tls.maxMessageSize(), tls.maxRecipientsPerMessage(),
        tls.maxInboundConnection(), tls.maxInboundConnectionPerSource(), tls.maxHeaderSize(), tls.maxProtocolErrors(),
        tls.connectionTimeoutSeconds(), tls.connectionInactivityTimeoutSeconds(), tls.protocolLoggingLevel(),
        TestTls.certificate(), true, 3, Duration.ZERO, List.of(), tls.messageRateLimit(), tls.messageRateSource(),
        tls.trustedCertificates(), tls.requireTls());
    Organization org = TestOrganization.with(List.of(plain, tls));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> rig.start(org, new RecordingPublisher(), EdgeEvents.NONE));
    assertInstanceOf(EdgeStartException.class, e.getCause());
    assertEquals("receive connectors 'Plain' and 'Tls' share binding " + shared + " but only one has implicitTls: "
        + "one listening socket serves both, so give them the same TLS settings or other bindings",
        e.getCause().getMessage());
  }
}
