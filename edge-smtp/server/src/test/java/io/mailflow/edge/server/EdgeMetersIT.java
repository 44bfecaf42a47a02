package io.mailflow.edge.server;

import static io.mailflow.edge.server.TlsAndAuthIT.FRONTEND;
import static io.mailflow.edge.server.TlsAndAuthIT.SUBMISSION;
import static io.mailflow.edge.server.TlsAndAuthIT.plain;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The edge's meters move with real SMTP sessions: counts by connector, verb, reply and refusal reason. */
class EdgeMetersIT {
  private static final SSLContext TRUSTING = TestTls.clientContext();
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private SmtpEdge edge;

  @BeforeEach
  void start() throws Exception {
    edge = rig.start(TlsAndAuthIT.organization(), new RecordingPublisher(), new RecordingEvents(),
        EdgeOptions.defaults().withDefaultCertificate(TestTls.certificate()).withMeters(meters));
  }

  private double count(String name, String... tags) {
    return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void acceptedMessageAndRefusalsAreCountedByConnectorVerbReplyAndReason() throws Exception {
    try (SmtpTestClient client = rig.client(edge, FRONTEND)) {
      client.reply();
      client.command("EHLO client.example");
      assertEquals("250 2.1.0 Sender OK", client.command("MAIL FROM:<carol@example.com>"));
      assertTrue(client.command("RCPT TO:<nobody@example.org>").startsWith("550 5.7.54"));
      assertTrue(client.command("RCPT TO:<alice@contoso.test>").startsWith("250"));
      client.command("DATA");
      assertTrue(client.command("Subject: hi\r\n\r\nHello\r\n.").startsWith("250 2.6.0"));
      client.command("QUIT");
    }
    String c = "connector";
    await().atMost(Duration.ofSeconds(5)).until(() -> count("mailflow.edge.messages.accepted", c, FRONTEND) == 1);
    assertEquals(1, count("mailflow.edge.connections", c, FRONTEND));
    assertEquals(1, count("mailflow.edge.sessions", c, FRONTEND));
    assertEquals(2, count("mailflow.edge.commands", c, FRONTEND, "verb", "RCPT"));
    assertEquals(1, count("mailflow.edge.commands", c, FRONTEND, "verb", "EHLO"));
    assertEquals(1, count("mailflow.edge.refused", c, FRONTEND, "reason", "relay_denied"));
    assertEquals(1, count("mailflow.edge.refused", c, FRONTEND), "only the relay refusal is a refusal");
    assertEquals(1, count("mailflow.edge.replies", c, FRONTEND, "class", "5xx", "enhanced_code", "5.7.54"));
    assertEquals(1, count("mailflow.edge.replies", c, FRONTEND, "class", "2xx", "enhanced_code", "2.6.0"));
    assertEquals(1, meters.get("mailflow.edge.data.reply").tag(c, FRONTEND).timer().count());
    assertTrue(meters.get("mailflow.edge.message.size").tag(c, FRONTEND).summary().totalAmount() > 10);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> meters.get("mailflow.edge.sessions.open").tag(c, FRONTEND).gauge().value() == 0);
  }

  @Test
  void tlsAndAuthOutcomesAndTarpitsAreCounted() throws Exception {
    try (SmtpTestClient client = rig.client(edge, SUBMISSION)) {
      client.reply();
      client.command("EHLO client.example");
      client.command("STARTTLS");
      client.handshake(TRUSTING);
      client.command("EHLO client.example");
      for (int i = 0; i < 3; i++) { // the third failure is tarpitted, then the session ends
        client.command("AUTH PLAIN " + plain("alice@contoso.test", "guess"));
      }
    }
    try (SmtpTestClient client = rig.client(edge, FRONTEND)) {
      client.reply();
      client.command("EHLO client.example");
      client.command("STARTTLS");
      client.send("this is not a TLS ClientHello\r\n\r\n");
      assertTrue(client.closedByServer());
    }
    String c = "connector";
    await().atMost(Duration.ofSeconds(5))
        .until(() -> count("mailflow.edge.tls.handshakes", c, FRONTEND, "outcome", "failure") == 1);
    assertEquals(1, count("mailflow.edge.tls.handshakes", c, SUBMISSION, "outcome", "success"));
    assertEquals(3, count("mailflow.edge.auth", c, SUBMISSION, "outcome", "failure"));
    assertEquals(1, count("mailflow.edge.tarpits", c, SUBMISSION));
  }

  @Test
  void noMeterIsTaggedWithAnAddressOrId() throws IOException {
    Set<String> forbidden = Set.of("sender", "recipient", "rcpt", "from", "to", "message_id", "client_ip",
        "session_id", "network_message_id");
    for (Meter m : meters.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertTrue(!forbidden.contains(t.getKey()), m.getId() + " has tag " + t.getKey());
      }
    }
  }
}
