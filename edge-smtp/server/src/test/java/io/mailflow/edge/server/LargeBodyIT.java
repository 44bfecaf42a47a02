package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyChunk;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Large messages on a real (embedded) broker: their bodies stream to mail.bodies.v1 while they
 * arrive and the envelope on mail.submission.v1 carries a BodyReference; small ones stay inline.
 */
class LargeBodyIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String BIG = "Big Frontend EX01";
  private static final String SMALL = "Small Frontend EX01";
  private static final int THIRTY_MB = 30 * 1024 * 1024;

  @RegisterExtension static final EdgeRig rig = EdgeRig.onKafka("edge-large-body-it");
  private static SmtpEdge edge;

  @BeforeAll
  static void start() throws Exception {
    edge = rig.start(TestOrganization.with(List.of(
        TestOrganization.anonymous(BIG, 36L * 1024 * 1024, 3, 300),
        TestOrganization.anonymous(SMALL, 2 * 1024 * 1024, 3, 300))));
  }

  /** A message of about {@code size} octets: a few header fields, then 78-octet lines. */
  static byte[] message(String subject, int size) {
    StringBuilder head = new StringBuilder()
        .append("X-Test-Id: ").append(UUID.randomUUID()).append("\r\n")
        .append("From: sender@fabrikam.example\r\nTo: alice@contoso.test\r\n")
        .append("Message-ID: <").append(UUID.randomUUID()).append("@fabrikam.example>\r\n")
        .append("Subject: ").append(subject).append("\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream(size + 100);
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    byte[] line = new byte[78];
    for (int n = 0; out.size() < size; n++) {
      for (int i = 0; i < 76; i++) {
        line[i] = (byte) ('A' + (n + i) % 26);
      }
      line[76] = '\r';
      line[77] = '\n';
      out.writeBytes(line);
    }
    return out.toByteArray();
  }

  private static SmtpTestClient transaction(String connector) throws Exception {
    SmtpTestClient client = rig.client(edge, connector);
    client.socketTimeout(60_000);
    client.reply();
    client.command("EHLO client.fabrikam.example");
    assertTrue(client.command("MAIL FROM:<sender@fabrikam.example>").startsWith("250"));
    assertTrue(client.command("RCPT TO:<alice@contoso.test>").startsWith("250"));
    return client;
  }

  private static SubmittedMessage submitted(String subject) {
    return rig.submitted(m -> subject.equals(m.getEnvelope().getSubject()), WAIT);
  }

  /** The whole message a reference stands for, read from mail.bodies.v1 at its partition and offsets. */
  static byte[] read(BodyReference ref) throws Exception {
    Map<String, Object> config = new HashMap<>(KafkaClientConfig.consumer(rig.bootstrap(), null, "large-body-reader"));
    // Seeking chunk by chunk: after each poll the consumer already has a fetch open at the log's end, which the
    // stages' long poll (500 ms) would hold before the next seek's fetch may go; 120 chunks, a minute of waiting.
    config.put(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.writeBytes(bytes(ref.getHead()));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    TopicPartition partition = new TopicPartition(Topics.BODIES.name(), ref.getPartition());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(List.of(partition));
      for (int i = 0; i < ref.getChunkCount(); i++) {
        long offset = ref.getOffsets().get(i);
        consumer.seek(partition, offset);
        ConsumerRecord<String, byte[]> found = null;
        for (int polls = 0; found == null && polls < 100; polls++) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (found == null && r.offset() == offset) {
              found = r;
            }
          }
        }
        assertTrue(found != null, "chunk " + i + " at offset " + offset);
        assertEquals(ref.getBodyId().toString(), found.key());
        BodyChunk chunk = Topics.BODIES.codec().decode(found.value());
        assertEquals(ref.getBodyId().toString(), chunk.getBodyId().toString());
        assertEquals(i, chunk.getIndex());
        byte[] data = bytes(chunk.getData());
        assertTrue(data.length <= 256 * 1024);
        sha256.update(data);
        whole.writeBytes(data);
      }
    }
    assertEquals(ref.getSha256().toString(), HexFormat.of().formatHex(sha256.digest()));
    return whole.toByteArray();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Checks the envelope's reference gives back exactly what the client sent, after the trace header. */
  private static void assertTravelledByReference(SubmittedMessage submitted, byte[] sent) throws Exception {
    BodyReference ref = assertInstanceOf(BodyReference.class, submitted.getBody());
    byte[] head = bytes(ref.getHead());
    String headText = new String(head, StandardCharsets.US_ASCII);
    assertTrue(headText.startsWith("Received: from client.fabrikam.example"), headText);
    assertTrue(headText.endsWith("\r\n\r\n"), headText);
    byte[] whole = read(ref);
    assertEquals(ref.getSize(), whole.length);
    assertEquals(whole.length, submitted.getEnvelope().getSize());
    int trace = headText.indexOf("X-Test-Id: ");
    assertTrue(trace > 0);
    assertArrayEquals(sent, Arrays.copyOfRange(whole, trace, whole.length), "client's octets after the trace header");
    assertTrue(ref.getChunkCount() > 100, "a 30 MB body in 256 KB chunks");
  }

  @Test
  void thirtyMegabyteMessageByDataTravelsByReference() throws Exception {
    String subject = "Large by DATA " + UUID.randomUUID();
    byte[] sent = message(subject, THIRTY_MB);
    try (SmtpTestClient client = transaction(BIG)) {
      assertTrue(client.command("DATA").startsWith("354"));
      client.sendBytes(sent); // no line starts with a dot: nothing to stuff
      String reply = client.command(".");
      assertTrue(reply.startsWith("250 2.6.0"), reply);
      assertEquals("250 2.0.0 OK", client.command("NOOP"));
    }
    assertTravelledByReference(submitted(subject), sent);
  }

  @Test
  void thirtyMegabyteMessageByBdatTravelsByReference() throws Exception {
    String subject = "Large by BDAT " + UUID.randomUUID();
    byte[] sent = message(subject, THIRTY_MB);
    try (SmtpTestClient client = transaction(BIG)) {
      int chunk = 3 * 1024 * 1024 + 17;
      for (int at = 0; at < sent.length; at += chunk) {
        int n = Math.min(chunk, sent.length - at);
        boolean last = at + n == sent.length;
        client.send("BDAT " + n + (last ? " LAST" : "") + "\r\n");
        client.sendBytes(Arrays.copyOfRange(sent, at, at + n));
        String reply = client.reply();
        assertTrue(reply.startsWith(last ? "250 2.6.0 <" : "250 2.6.0 CHUNK"), reply);
      }
    }
    assertTravelledByReference(submitted(subject), sent);
  }

  @Test
  void aHundredKilobyteMessageIsWrittenOnceToTheBodiesTopicPastTheSixteenKilobyteDefault() throws Exception {
    String subject = "100 KB " + UUID.randomUUID();
    byte[] sent = message(subject, 100 * 1024);
    try (SmtpTestClient client = transaction(BIG)) {
      assertTrue(client.command("DATA").startsWith("354"));
      client.sendBytes(sent);
      assertTrue(client.command(".").startsWith("250 2.6.0"));
    }
    SubmittedMessage submitted = submitted(subject);
    BodyReference ref = assertInstanceOf(BodyReference.class, submitted.getBody(),
        "transportService.inlineBodyLimit is 16 KB by default");
    assertEquals(1, ref.getChunkCount(), "one 256 KB chunk holds it");
    byte[] whole = read(ref);
    String headText = new String(bytes(ref.getHead()), StandardCharsets.US_ASCII);
    int start = headText.indexOf("X-Test-Id: ");
    assertArrayEquals(sent, Arrays.copyOfRange(whole, start, whole.length), "the client's octets, byte for byte");
  }

  @Test
  void aHeaderSectionLongerThanTheInlineLimitIsKeptWholeInTheReference() throws Exception {
    String subject = "Long header " + UUID.randomUUID();
    StringBuilder fields = new StringBuilder();
    for (int i = 0; fields.length() < 40 * 1024; i++) { // past the 16 KB limit, within maxHeaderSize
      fields.append("X-Long-").append(i).append(": ").append("v".repeat(60)).append("\r\n");
    }
    byte[] base = message(subject, 64 * 1024);
    byte[] sent = (fields + new String(base, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    try (SmtpTestClient client = transaction(BIG)) {
      assertTrue(client.command("DATA").startsWith("354"));
      client.sendBytes(sent);
      String reply = client.command(".");
      assertTrue(reply.startsWith("250 2.6.0"), "long headers are not refused under a small inline limit: " + reply);
    }
    SubmittedMessage submitted = submitted(subject);
    BodyReference ref = assertInstanceOf(BodyReference.class, submitted.getBody());
    String headText = new String(bytes(ref.getHead()), StandardCharsets.US_ASCII);
    assertTrue(headText.contains("X-Long-0: ") && headText.contains("Subject: " + subject + "\r\n\r\n"),
        "the head is the whole header section");
    byte[] whole = read(ref);
    int start = headText.indexOf("X-Long-0: ");
    assertArrayEquals(sent, Arrays.copyOfRange(whole, start, whole.length));
  }

  @Test
  void smallMessageStillRidesInline() throws Exception {
    String subject = "Small " + UUID.randomUUID();
    byte[] sent = message(subject, 4000);
    try (SmtpTestClient client = transaction(BIG)) {
      client.command("DATA");
      client.sendBytes(sent);
      assertTrue(client.command(".").startsWith("250 2.6.0"));
    }
    SubmittedMessage submitted = submitted(subject);
    InlineBody inline = assertInstanceOf(InlineBody.class, submitted.getBody());
    String body = new String(bytes(inline.getData()), StandardCharsets.US_ASCII);
    assertTrue(body.endsWith(new String(sent, StandardCharsets.US_ASCII)));
  }

  @Test
  void messagesRefusedMidwayPublishNoEnvelope() throws Exception {
    String oversize = "Oversize " + UUID.randomUUID();
    String reset = "Reset " + UUID.randomUUID();
    String dropped = "Dropped " + UUID.randomUUID();
    String marker = "Marker " + UUID.randomUUID();
    try (SmtpTestClient client = transaction(SMALL)) {
      client.command("DATA");
      client.sendBytes(message(oversize, 3 * 1024 * 1024)); // over the connector's 2 MB, well past the spill point
      assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", client.command("."));

      client.command("MAIL FROM:<sender@fabrikam.example>");
      client.command("RCPT TO:<alice@contoso.test>");
      byte[] first = message(reset, 1024 * 1024);
      client.send("BDAT " + first.length + "\r\n").sendBytes(first);
      assertTrue(client.reply().startsWith("250 2.6.0 CHUNK"));
      assertEquals("250 2.0.0 Resetting", client.command("RSET"));
    }
    try (SmtpTestClient client = transaction(SMALL)) {
      client.command("DATA");
      client.sendBytes(message(dropped, 1024 * 1024)); // and the client goes away mid-message
    }
    try (SmtpTestClient client = transaction(SMALL)) {
      client.command("DATA");
      client.sendBytes(message(marker, 100));
      assertTrue(client.command(".").startsWith("250 2.6.0"));
    }
    // the marker was queued after the others ended: once it is there, none of them can follow
    rig.submitted(m -> marker.equals(m.getEnvelope().getSubject()), WAIT);
    List<String> subjects = rig.submissions(m -> true).stream()
        .map(m -> String.valueOf(m.getEnvelope().getSubject())).toList();
    assertTrue(subjects.contains(marker));
    assertTrue(!subjects.contains(oversize) && !subjects.contains(reset) && !subjects.contains(dropped), subjects.toString());
  }
}
