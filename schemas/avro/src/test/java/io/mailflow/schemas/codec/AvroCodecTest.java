package io.mailflow.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.ProtocolDirection;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  static Envelope envelope() {
    return Envelope.newBuilder()
        .setNetworkMessageId("8c1f0e2a-0000-4000-8000-000000000001")
        .setReceivedAt(Instant.parse("2026-11-22T10:00:00Z"))
        .setReceivingServer("EX01")
        .setReceiveConnector("Default Frontend EX01")
        .setSessionId("08DD0000000000A1")
        .setClientIp("127.0.0.1")
        .setClientHostname("client.example")
        .setSender("carol@example.com")
        .setSize(5)
        .build();
  }

  @Test
  void submittedMessageRoundTripsWithInlineBody() {
    AvroCodec<SubmittedMessage> codec = AvroCodec.of(SubmittedMessage.class);
    SubmittedMessage message = SubmittedMessage.newBuilder()
        .setEnvelope(envelope())
        .setRecipients(List.of(Recipient.newBuilder().setAddress("alice@contoso.test")
            .setNotify(List.of(DsnNotify.FAILURE, DsnNotify.DELAY)).build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))))
        .build();

    SubmittedMessage decoded = codec.decode(codec.encode(message));

    assertEquals(message, decoded);
    InlineBody body = assertInstanceOf(InlineBody.class, decoded.getBody());
    assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), bytes(body.getData()));
  }

  @Test
  void bodyMayBeAReferenceToChunks() {
    AvroCodec<SubmittedMessage> codec = AvroCodec.of(SubmittedMessage.class);
    SubmittedMessage message = SubmittedMessage.newBuilder()
        .setEnvelope(envelope())
        .setRecipients(List.of(Recipient.newBuilder().setAddress("alice@contoso.test").build()))
        .setBody(BodyReference.newBuilder().setBodyId("b-1").setChunkCount(3).setSize(3_000_000).build())
        .build();

    assertInstanceOf(BodyReference.class, codec.decode(codec.encode(message)).getBody());
  }

  @Test
  void deliveryItemWrittenBeforeReplayOfExistedDecodesAsNotReplayed() throws Exception {
    Schema v2;
    try (InputStream in = getClass().getResourceAsStream("/io/mailflow/schemas/history/DeliveryItem-v2.avsc")) {
      v2 = new Schema.Parser().parse(in);
    }
    DeliveryItem item = DeliveryItem.newBuilder().setEnvelope(envelope()).setInternalMessageId("iid-1")
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmtpDeliveryToMailbox)
            .setNextHopDomain("db01").build())
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("alice@contoso.test")
            .setOriginalAddress("alice@contoso.test").setType(RecipientType.MAILBOX).build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))))
        .setAttempt(2).setNotBefore(Instant.parse("2026-11-22T10:05:00Z")).build();
    // v2 is v3 without its last field, so the v3 record written field by field under v2 is what v2 wrote.
    ByteBuffer written = new BinaryMessageEncoder<DeliveryItem>(SpecificData.getForClass(DeliveryItem.class), v2)
        .encode(item);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    DeliveryItem decoded = AvroCodec.of(DeliveryItem.class).decode(bytes);

    assertEquals(null, decoded.getReplayOf());
    assertEquals(item, decoded);
  }

  @Test
  void deliveryItemWrittenBeforeDelayNotifiedExistedDecodesAsNotYetNotified() throws Exception {
    Schema v4;
    try (InputStream in = getClass().getResourceAsStream("/io/mailflow/schemas/history/DeliveryItem-v4.avsc")) {
      v4 = new Schema.Parser().parse(in);
    }
    DeliveryItem item = DeliveryItem.newBuilder().setEnvelope(envelope()).setInternalMessageId("iid-1")
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmtpDeliveryToMailbox)
            .setNextHopDomain("db01").build())
        .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("alice@contoso.test")
            .setOriginalAddress("alice@contoso.test").setType(RecipientType.MAILBOX).build()))
        .setBody(new InlineBody(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))))
        .setAttempt(3).setReplayOf("mail.delivery.v1-1@9").build();
    // v4 is the current schema without its last field, so the record written under v4 is what v4 wrote.
    ByteBuffer written = new BinaryMessageEncoder<DeliveryItem>(SpecificData.getForClass(DeliveryItem.class), v4)
        .encode(item);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    DeliveryItem decoded = AvroCodec.of(DeliveryItem.class).decode(bytes);

    assertEquals(false, decoded.getDelayNotified());
    assertEquals(item, decoded);
  }

  private static Schema history(String name) throws Exception {
    try (InputStream in = AvroCodecTest.class.getResourceAsStream("/io/mailflow/schemas/history/" + name)) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void protocolEventWrittenBeforeSendLinesExistedDecodesAsReceive() throws Exception {
    Schema v1 = history("ProtocolEvent-v1.avsc");
    GenericRecord old = new GenericData.Record(v1);
    old.put("dateTime", Instant.parse("2026-11-22T10:00:00Z").toEpochMilli());
    old.put("connectorId", "EX01\\Default Frontend EX01");
    old.put("sessionId", "08DC0000000000A1");
    old.put("sequenceNumber", 3L);
    old.put("localEndpoint", "127.0.0.1:25");
    old.put("remoteEndpoint", "192.0.2.7:40000");
    old.put("event", "<");
    old.put("data", "EHLO client.example");
    ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    ProtocolEvent decoded = AvroCodec.of(ProtocolEvent.class).decode(bytes);

    assertEquals(ProtocolDirection.Receive, decoded.getDirection(), "v1 lines were all receive connectors'");
    assertEquals("EHLO client.example", decoded.getData());
    assertEquals(3L, decoded.getSequenceNumber());
  }

  @Test
  void controlRecordWrittenBeforeThePoisonKindExistedStillDecodes() throws Exception {
    Schema v1 = history("ControlRecord-v1.avsc");
    ControlRecord queue = ControlRecord.newBuilder().setKind(ControlKind.QUEUE).setTarget("hop").setState("Suspended")
        .setSetBy("alice").setSetAt(Instant.parse("2026-11-22T10:00:00Z")).build();
    // QUEUE is in both schemas, so the record written field by field under v1 is what v1 wrote.
    ByteBuffer written = new BinaryMessageEncoder<ControlRecord>(SpecificData.getForClass(ControlRecord.class), v1)
        .encode(queue);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    assertEquals(queue, AvroCodec.of(ControlRecord.class).decode(bytes));
  }

  @Test
  void aReaderThatKnowsNoPoisonKindReadsItAsUnknown() throws Exception {
    Schema v1 = history("ControlRecord-v1.avsc");
    byte[] bytes = AvroCodec.of(ControlRecord.class).encode(ControlRecord.newBuilder().setKind(ControlKind.POISON)
        .setTarget("0:7").setState("Deleted").setSetBy("alice").setSetAt(Instant.parse("2026-11-22T10:00:00Z"))
        .build());
    // an older release: its own schema (v1) and, shipped to it, the newer writer's schema
    SchemaStore.Cache writers = new SchemaStore.Cache();
    writers.addSchema(ControlRecord.getClassSchema());
    GenericRecord old = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, writers).decode(bytes);

    assertEquals("UNKNOWN", old.get("kind").toString(), "the enum default, so the reader skips it");
    assertEquals("0:7", old.get("target").toString());
  }

  @Test
  void recordFromAnOlderWriterDecodesWithDefaultsForNewFields() throws Exception {
    Schema v0;
    try (InputStream in = getClass().getResourceAsStream("/TrackingEvent-v0.avsc")) {
      v0 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v0);
    old.put("dateTime", 1_763_800_000_000L);
    old.put("source", "SMTP");
    old.put("eventId", "RECEIVE");
    old.put("networkMessageId", "n-1");
    old.put("recipientAddress", List.of("alice@contoso.test"));
    ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    TrackingEvent event = AvroCodec.of(TrackingEvent.class, SchemaHistory.of(List.of(v0))).decode(bytes);

    assertEquals("RECEIVE", event.getEventId());
    assertEquals(List.of("alice@contoso.test"), event.getRecipientAddress());
    assertEquals(List.of(), event.getRecipientStatus());
    assertEquals(0L, event.getTotalBytes());
  }

  @Test
  void recordFromAnUnknownWriterIsRefusedWithItsFingerprint() throws Exception {
    Schema v0;
    try (InputStream in = getClass().getResourceAsStream("/TrackingEvent-v0.avsc")) {
      v0 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v0);
    old.put("dateTime", 1L);
    old.put("source", "SMTP");
    old.put("eventId", "RECEIVE");
    old.put("networkMessageId", "n-1");
    old.put("recipientAddress", List.of());
    ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    UndecodableRecordException e =
        assertThrows(UndecodableRecordException.class, () -> AvroCodec.of(TrackingEvent.class).decode(bytes));
    assertTrue(e.getMessage().contains("unknown schema"), e.getMessage());
  }

  @Test
  void garbageIsRefusedWithAReason() {
    UndecodableRecordException e = assertThrows(UndecodableRecordException.class,
        () -> AvroCodec.of(TrackingEvent.class).decode("not avro".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(e.getMessage().startsWith("TrackingEvent: not Avro single-object encoded"), e.getMessage());
  }

  @Test
  void truncatedRecordIsRefusedAsCorrupt() {
    AvroCodec<SubmittedMessage> codec = AvroCodec.of(SubmittedMessage.class);
    byte[] whole = codec.encode(SubmittedMessage.newBuilder().setEnvelope(envelope())
        .setRecipients(List.of()).setBody(new InlineBody(ByteBuffer.allocate(0))).build());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 10);

    UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> codec.decode(cut));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
