package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.Server;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The edge keeps another server's network message id only when the session holds AcceptRoutingHeaders
 * (AnonymousUsers do, on the test frontend) and the client is at a {@code servers[].smtp} address.
 */
class OrganizationRelayIT {
  private static final String ID = "0b6f2c1e-8f7a-4d3e-9a41-5f1e2d3c4b5a";
  private static final String MESSAGE = "X-MS-Exchange-Organization-Network-Message-Id: " + ID + "\r\n"
      + "X-MS-Exchange-Organization-AuthAs: Internal\r\nSubject: relayed\r\nMessage-ID: <r1@ex02>\r\n\r\nbody\r\n.";
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();

  private RecordingPublisher publisher;

  /** The standard test organization; with {@code serverAddress} EX02 is a server at that address. */
  private SubmittedMessage relay(String serverAddress) throws Exception {
    Organization base = TestOrganization.standard();
    Organization org = new Organization(base.serverName(), base.siteName(), base.kafka(), base.acceptedDomains(),
        base.receiveConnectors(), base.sendConnectors(), base.sites(), base.siteLinks(),
        List.of(base.servers().get(0), new Server("EX02", base.siteName(), new Server.SmtpEndpoint(serverAddress, 25))),
        base.databases(), base.mailboxes(), base.groups(), base.contacts(), base.mailUsers(), base.transportConfig());
    publisher = new RecordingPublisher();
    SmtpEdge edge = rig.start(org, publisher, new RecordingEvents(), EdgeOptions.defaults());
    try (SmtpTestClient client = rig.client(edge, TestOrganization.FRONTEND)) {
      client.reply();
      client.command("EHLO ex02.contoso.test");
      client.command("MAIL FROM:<a@contoso.test>");
      client.command("RCPT TO:<bob@contoso.test>");
      client.command("DATA");
      String reply = client.command(MESSAGE);
      assertTrue(reply.startsWith("250 "), reply);
    }
    return publisher.published.get(0);
  }

  @Test
  void aRelayFromAnOrganizationServerKeepsItsNetworkMessageId() throws Exception {
    SubmittedMessage m = relay("127.0.0.1");
    assertEquals(ID, m.getEnvelope().getNetworkMessageId());
    String body = SmtpEdgeIT.body(m);
    assertFalse(body.contains("X-MS-Exchange-Organization-Network-Message-Id"), body);
    assertTrue(body.contains("X-MS-Exchange-Organization-AuthAs: Internal"), "other fields stay: " + body);
  }

  @Test
  void aClientThatIsNotAServerGetsANewIdAndLosesTheOrganizationFields() throws Exception {
    SubmittedMessage m = relay("192.0.2.10");
    assertNotEquals(ID, m.getEnvelope().getNetworkMessageId());
    String body = SmtpEdgeIT.body(m);
    assertFalse(body.contains("X-MS-Exchange-Organization-"), body);
    assertTrue(body.contains("Subject: relayed"), body);
  }
}
