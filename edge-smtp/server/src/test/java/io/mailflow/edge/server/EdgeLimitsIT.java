package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import io.mailflow.organization.ReceiveConnector.Permission;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connection limits, message rate limits and the header firewall on real sockets. */
class EdgeLimitsIT {
  private static final Binding EPHEMERAL = new Binding("127.0.0.1", 0);
  private static final String OVER_CONNECTIONS = "421 4.3.2 The maximum number of concurrent server connections "
      + "has exceeded a limit, closing transmission channel";
  private static final String OVER_RATE =
      "421 4.4.2 Message submission rate for this client has exceeded the configured limit";
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private SmtpEdge edge;
  private RecordingPublisher publisher;

  private SmtpTestClient start(ReceiveConnector connector) throws Exception {
    publisher = new RecordingPublisher();
    edge = rig.start(TestOrganization.withPasswords(List.of(connector)), publisher, EdgeEvents.NONE);
    return null;
  }

  private SmtpTestClient connect(String from) throws IOException {
    return rig.client(from, edge, "Limited");
  }

  private static ReceiveConnector limits(int maxInbound, int perSource, int maxHeaderSize, int rate,
      MessageRateSource source, Set<PermissionGroup> groups, List<Permission> permissions) {
    return TestOrganization.limited("Limited", EPHEMERAL, ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, groups,
        Set.of(AuthMechanism.BasicAuth), null, maxInbound, perSource, maxHeaderSize, rate, source, permissions);
  }

  private static ReceiveConnector anonymous(int maxInbound, int perSource, int maxHeaderSize, int rate) {
    return limits(maxInbound, perSource, maxHeaderSize, rate, MessageRateSource.IPAddress,
        Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeUsers), List.of());
  }

  private static String send(SmtpTestClient client, String headers) throws IOException {
    String mail = client.command("MAIL FROM:<sender@fabrikam.example>");
    if (!mail.startsWith("250")) {
      return mail;
    }
    client.command("RCPT TO:<bob@contoso.test>");
    client.command("DATA");
    return client.command(headers + "Subject: test\r\n\r\nbody\r\n.");
  }

  @Test
  void connectionsOverTheLimitPerSourceGet421WhileOtherSourcesAndLaterOnesAreServed() throws Exception {
    start(anonymous(100, 2, 262_144, ReceiveConnector.UNLIMITED));
    try (SmtpTestClient a = connect("127.0.0.1"); SmtpTestClient b = connect("127.0.0.1")) {
      assertTrue(a.reply().startsWith("220 "));
      assertTrue(b.reply().startsWith("220 "));
      try (SmtpTestClient third = connect("127.0.0.1")) {
        assertEquals(OVER_CONNECTIONS, third.reply());
        assertNull(third.line(), "closed after the 421");
      }
      try (SmtpTestClient other = connect("127.0.0.3")) {
        assertTrue(other.reply().startsWith("220 "), "another client IP has its own count");
      }
      a.command("QUIT");
    }
    // the closed sessions are released: the same source gets in again
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (SmtpTestClient again = connect("127.0.0.1")) {
        return again.reply().startsWith("220 ");
      }
    });
  }

  @Test
  void connectionsOverTheConnectorsTotalGet421() throws Exception {
    start(anonymous(1, 20, 262_144, ReceiveConnector.UNLIMITED));
    try (SmtpTestClient a = connect("127.0.0.1")) {
      assertTrue(a.reply().startsWith("220 "));
      try (SmtpTestClient b = connect("127.0.0.4")) {
        assertEquals(OVER_CONNECTIONS, b.reply());
      }
    }
  }

  @Test
  void messagesOverTheRatePerAddressGet421AtMailFrom() throws Exception {
    start(anonymous(100, 20, 262_144, 2));
    try (SmtpTestClient client = connect("127.0.0.1")) {
      client.reply();
      client.command("EHLO client.test");
      assertTrue(send(client, "").startsWith("250 2.6.0"));
      assertTrue(send(client, "").startsWith("250 2.6.0"));
      assertEquals(OVER_RATE, client.command("MAIL FROM:<sender@fabrikam.example>"));
      assertNull(client.line(), "the 421 ends the session");
    }
    try (SmtpTestClient same = connect("127.0.0.1"); SmtpTestClient other = connect("127.0.0.5")) {
      same.reply();
      other.reply();
      same.command("EHLO client.test");
      other.command("EHLO client.test");
      assertEquals(OVER_RATE, same.command("MAIL FROM:<sender@fabrikam.example>"), "counted across sessions");
      assertTrue(send(other, "").startsWith("250 2.6.0"));
    }
    assertEquals(3, publisher.published.size());
  }

  @Test
  void messagesOverTheRatePerUserGet421ForThatUserOnly() throws Exception {
    start(limits(100, 20, 262_144, 1, MessageRateSource.User, Set.of(PermissionGroup.ExchangeUsers), List.of()));
    try (SmtpTestClient alice = connect("127.0.0.1"); SmtpTestClient bob = connect("127.0.0.1")) {
      for (SmtpTestClient c : List.of(alice, bob)) {
        c.reply();
        c.command("EHLO client.test");
      }
      assertTrue(alice.command("AUTH PLAIN " + TlsAndAuthIT.plain("alice@contoso.test",
          TestOrganization.ALICE_PASSWORD)).startsWith("235"));
      assertTrue(bob.command("AUTH PLAIN " + TlsAndAuthIT.plain("bob@contoso.test",
          TestOrganization.BOB_PASSWORD)).startsWith("235"));
      assertTrue(sendAs(alice, "alice@contoso.test").startsWith("250 2.6.0"));
      assertEquals(OVER_RATE, alice.command("MAIL FROM:<alice@contoso.test>"));
      assertTrue(sendAs(bob, "bob@contoso.test").startsWith("250 2.6.0"), "bob has his own count");
    }
  }

  private static String sendAs(SmtpTestClient client, String sender) throws IOException {
    client.command("MAIL FROM:<" + sender + ">");
    client.command("RCPT TO:<bob@contoso.test>");
    client.command("DATA");
    return client.command("Subject: test\r\n\r\nbody\r\n.");
  }

  @Test
  void aHeaderSectionOverMaxHeaderSizeGets552AndTheSessionGoesOn() throws Exception {
    start(anonymous(100, 20, 1000, ReceiveConnector.UNLIMITED));
    try (SmtpTestClient client = connect("127.0.0.1")) {
      client.reply();
      client.command("EHLO client.test");
      assertEquals("552 5.3.4 Message header size exceeds limit",
          send(client, "X-Big: x" + ("\r\n " + "x".repeat(70)).repeat(20) + "\r\n")); // folded: 1400 octets, no line over 1000
      assertEquals("250 2.0.0 OK", client.command("NOOP").replaceAll("250 2\\.0\\.0 .*", "250 2.0.0 OK"));
      assertTrue(send(client, "X-Small: y\r\n").startsWith("250 2.6.0"), "the next message is taken");
    }
    assertEquals(1, publisher.published.size());
  }

  @Test
  void moreThanThirtyReceivedHeadersIsRefusedAsAMailLoop() throws Exception {
    start(anonymous(100, 20, 262_144, ReceiveConnector.UNLIMITED));
    String thirty = "Received: from a.test by b.test; Mon, 1 Jan 2026 00:00:00 +0000\r\n".repeat(30);
    try (SmtpTestClient client = connect("127.0.0.1")) {
      client.reply();
      client.command("EHLO client.test");
      assertTrue(send(client, thirty).startsWith("250 2.6.0"));
      assertEquals("554 5.4.6 Hop count exceeded - possible mail loop",
          send(client, thirty + "Received: from c.test by d.test\r\n"));
    }
    assertEquals(1, publisher.published.size());
  }

  @Test
  void organizationHeadersAreStrippedWithoutAcceptRoutingHeadersAndKeptWithIt() throws Exception {
    // Custom: anonymous may submit and use any sender, but holds no ms-Exch-Accept-Headers-Routing
    start(limits(100, 20, 262_144, ReceiveConnector.UNLIMITED, MessageRateSource.IPAddress,
        Set.of(PermissionGroup.Custom), List.of(new Permission(Permission.ANONYMOUS_LOGON,
            Set.of(ExtendedRight.SMTP_SUBMIT, ExtendedRight.SMTP_ACCEPT_ANY_SENDER), false))));
    try (SmtpTestClient client = connect("127.0.0.1")) {
      client.reply();
      client.command("EHLO client.test");
      assertTrue(send(client, "X-MailFlow-Route: elsewhere\r\n").startsWith("250 2.6.0"));
    }
    String stripped = SmtpEdgeIT.body(publisher.published.get(0));
    assertFalse(stripped.toLowerCase().contains("x-mailflow-route"), stripped);
    assertTrue(stripped.contains("Subject: test"), stripped);

    rig.close(edge);
    start(anonymous(100, 20, 262_144, ReceiveConnector.UNLIMITED)); // AnonymousUsers holds the right
    try (SmtpTestClient client = connect("127.0.0.1")) {
      client.reply();
      client.command("EHLO client.test");
      assertTrue(send(client, "X-MailFlow-Route: elsewhere\r\n").startsWith("250 2.6.0"));
    }
    assertTrue(SmtpEdgeIT.body(publisher.published.get(0)).contains("X-MailFlow-Route: elsewhere"));
  }
}
