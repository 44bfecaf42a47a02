package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.BodyReference;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The edge's spill path against an in-memory body store whose answers the test decides. */
class SpillFailureIT {
  @RegisterExtension static final EdgeRig rig = EdgeRig.inMemory();
  private RecordingPublisher publisher;
  private RecordingEvents events;
  private SmtpEdge edge;

  @BeforeEach
  void start() throws Exception {
    publisher = new RecordingPublisher();
    events = new RecordingEvents();
    edge = rig.start(TestOrganization.with(List.of(
        TestOrganization.anonymous(TestOrganization.FRONTEND, 8 * 1024 * 1024, 3, 300))), publisher, events);
  }

  private SmtpTestClient transaction() throws Exception {
    SmtpTestClient client = rig.client(edge, TestOrganization.FRONTEND);
    client.reply();
    client.command("EHLO client.fabrikam.example");
    client.command("MAIL FROM:<sender@fabrikam.example>");
    client.command("RCPT TO:<alice@contoso.test>");
    return client;
  }

  private String sendLarge(SmtpTestClient client, String subject) throws Exception {
    client.command("DATA");
    client.sendBytes(LargeBodyIT.message(subject, 2 * 1024 * 1024));
    return client.command(".");
  }

  @Test
  void failedChunkWriteIs451AndTheSessionGoesOn() throws Exception {
    publisher.failBodiesWith(new IllegalStateException("broker says no"));
    try (SmtpTestClient client = transaction()) {
      assertEquals("451 4.3.0 Message not queued because of a temporary server error, please try again later",
          sendLarge(client, "fails"));
      assertEquals("250 2.0.0 OK", client.command("NOOP"));
      publisher.storeBodies();
      client.command("MAIL FROM:<sender@fabrikam.example>");
      client.command("RCPT TO:<alice@contoso.test>");
      assertTrue(sendLarge(client, "works").startsWith("250 2.6.0"));
    }
    assertEquals(1, publisher.published.size(), "only the second message was queued");
  }

  @Test
  void chunkWriteUnderBackPressureIs452() throws Exception {
    publisher.failBodiesWith(new BackPressureException("Kafka did not take the chunk in time", null));
    try (SmtpTestClient client = transaction()) {
      assertEquals("452 4.3.1 Insufficient system resources", sendLarge(client, "pressed"));
      assertEquals("250 2.0.0 OK", client.command("NOOP"));
    }
    assertTrue(publisher.published.isEmpty());
  }

  @Test
  void firewallAndMessageIdApplyToTheHeadOfASpilledMessage() throws Exception {
    publisher.storeBodies();
    String subject = "Spilled " + UUID.randomUUID();
    byte[] sent = LargeBodyIT.message(subject, 2 * 1024 * 1024);
    String text = new String(sent, java.nio.charset.StandardCharsets.US_ASCII)
        .replaceFirst("Message-ID: <[^>]*>\r\n", "X-MS-Exchange-Organization-Steer: yes\r\n");
    try (SmtpTestClient client = transaction()) {
      client.command("DATA");
      client.sendBytes(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertTrue(client.command(".").startsWith("250 2.6.0"));
    }
    BodyReference ref = assertInstanceOf(BodyReference.class, publisher.published.get(0).getBody());
    String head = new String(bytes(ref.getHead()), java.nio.charset.StandardCharsets.US_ASCII);
    assertTrue(head.contains("\r\nMessage-ID: <"), "a Message-ID is added to the head: " + head);
    assertTrue(!head.contains("X-MS-Exchange-Organization-Steer"), "organization fields are stripped from the head");
    assertTrue(head.endsWith("Subject: " + subject + "\r\n\r\n"));
    assertEquals(subject, publisher.published.get(0).getEnvelope().getSubject());
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    publisher.chunks.forEach(c -> data.writeBytes(bytes(c.getData())));
    String body = text.substring(text.indexOf("\r\n\r\n") + 4);
    assertArrayEquals(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII), data.toByteArray());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data.toByteArray())),
        ref.getSha256().toString());
    assertEquals(head.length() + data.size(), ref.getSize());
    assertEquals(publisher.chunks.size(), ref.getOffsets().size());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
