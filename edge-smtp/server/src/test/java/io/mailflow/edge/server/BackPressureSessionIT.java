package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.PressureTransitions;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may submit at each back pressure level, on real sockets with a resource the test sets: at Medium the
 * organization's sessions (AUTH, a servers[] address) and nobody else, at High nobody; refused sessions go on.
 */
class BackPressureSessionIT {
  private static final String REFUSED = "452 4.3.1 Insufficient system resources";
  private static final String CONNECTOR = "Pressure";
  /** EX02, another server of the organization, relays from this address. */
  private static final String SERVER_IP = "127.0.0.5";

  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private final AtomicLong queue = new AtomicLong();
  private BackPressure pressure;
  private RecordingPublisher publisher;
  private SmtpEdge edge;

  @BeforeEach
  void start() throws Exception {
    pressure = BackPressure.start(List.of(new BackPressure.Source("QueueLength[SubmissionQueue]",
        "QueueLength[SubmissionQueue]", "", new PressureTransitions(10, 20, 15, 5), queue::get)),
        Duration.ofHours(1), new SimpleMeterRegistry(), List.of());
    ReceiveConnector connector = TestOrganization.limited(CONNECTOR, new Binding("127.0.0.1", 0),
        ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeUsers),
        Set.of(AuthMechanism.BasicAuth), null, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE, ReceiveConnector.DEFAULT_MAX_HEADER_SIZE,
        ReceiveConnector.UNLIMITED, MessageRateSource.IPAddress, List.of());
    Organization base = TestOrganization.withPasswords(List.of(connector));
    Organization org = new Organization(base.serverName(), base.siteName(), base.kafka(), base.acceptedDomains(),
        base.receiveConnectors(), base.sendConnectors(), base.sites(), base.siteLinks(),
        List.of(new Server("EX01", base.siteName()),
            new Server("EX02", base.siteName(), new Server.SmtpEndpoint(SERVER_IP, 25))),
        base.databases(), base.mailboxes(), base.groups(), base.contacts(), base.mailUsers(), base.transportConfig());
    publisher = new RecordingPublisher();
    edge = rig.start(org, publisher, new RecordingEvents(), EdgeOptions.defaults().withBackPressure(pressure));
  }

  @AfterEach
  void stop() {
    pressure.close();
  }

  private void level(long backlog, PressureLevel expected) {
    queue.set(backlog);
    pressure.meter();
    assertEquals(expected, pressure.status().level());
  }

  private SmtpTestClient session(String fromIp, String user) throws IOException {
    SmtpTestClient client = rig.client(fromIp, edge, CONNECTOR);
    client.reply();
    client.command("EHLO client.test");
    if (user != null) {
      assertTrue(client.command("AUTH PLAIN " + TlsAndAuthIT.plain(user, TestOrganization.ALICE_PASSWORD))
          .startsWith("235"));
    }
    return client;
  }

  private String mailFrom(String fromIp, String user) throws IOException {
    SmtpTestClient client = session(fromIp, user);
    return client.command("MAIL FROM:<" + (user != null ? user : "sender@fabrikam.example") + ">");
  }

  @Test
  void atLowEveryoneMaySubmit() throws Exception {
    level(9, PressureLevel.Low);
    assertEquals("250 2.1.0 Sender OK", mailFrom("127.0.0.1", null));
  }

  @Test
  void atMediumOnlyTheOrganizationsSessionsMaySubmit() throws Exception {
    level(10, PressureLevel.Medium);
    assertEquals(REFUSED, mailFrom("127.0.0.1", null), "anonymous, from outside");
    assertEquals("250 2.1.0 Sender OK", mailFrom("127.0.0.1", "alice@contoso.test"), "a mailbox after AUTH");
    assertEquals("250 2.1.0 Sender OK", mailFrom(SERVER_IP, null), "another server of the organization");
  }

  @Test
  void atHighNobodyMaySubmitAndTheSessionGoesOnUntilTheLevelFalls() throws Exception {
    level(20, PressureLevel.High);
    assertEquals(REFUSED, mailFrom(SERVER_IP, null));
    SmtpTestClient alice = session("127.0.0.1", "alice@contoso.test");
    assertEquals(REFUSED, alice.command("MAIL FROM:<alice@contoso.test>"));
    assertEquals("250 2.0.0 OK", alice.command("NOOP"), "a 452 does not end the session");
    level(14, PressureLevel.Medium); // below HighToMedium (15)
    assertEquals("250 2.1.0 Sender OK", alice.command("MAIL FROM:<alice@contoso.test>"));
    assertEquals(0, publisher.published.size());
  }
}
