package io.mailflow.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The event streams' JSON form and the codec that reads it and Avro alike. */
class EventJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final AvroCodec<TrackingEvent> tracking = AvroCodec.ofEvents(TrackingEvent.class);
  private final AvroCodec<ProtocolEvent> protocol = AvroCodec.ofEvents(ProtocolEvent.class);

  /** A tracking event with every field set, the queue state too. */
  static TrackingEvent everyField() {
    return TrackingEvent.newBuilder()
        .setDateTime(Instant.parse("2026-12-07T20:51:08.123Z"))
        .setClientIp("192.0.2.10").setClientHostname("client.example")
        .setServerIp("192.0.2.1").setServerHostname("EX01")
        .setSourceContext("08DD0000000000A1;2026-12-07T20:51:08.100Z;0")
        .setConnectorId("EX01\\Default Frontend EX01")
        .setSource("QUEUE").setEventId("QUEUESTATE")
        .setInternalMessageId("42").setMessageId("<m1@client.example>")
        .setNetworkMessageId("8c1f0e2a-0000-4000-8000-000000000001")
        .setRecipientAddress(List.of("alice@contoso.test", "bob@contoso.test"))
        .setRecipientStatus(List.of("250 2.0.0 OK", "250 2.1.5 \"quoted\" ok"))
        .setTotalBytes(123_456_789_012L).setRecipientCount(2)
        .setRelatedRecipientAddress("team@contoso.test").setReference("<r1@x>")
        .setMessageSubject("Grüße, \"quotes\" and a\nnewline")
        .setSenderAddress("carol@example.com").setReturnPath("carol@example.com")
        .setMessageInfo("2026-12-07T20:51:08.000Z;SRV=EX01").setDirectionality("Incoming")
        .setQueue(QueueState.newBuilder().setIdentity("smtp:fabrikam.test").setDeliveryType("SmartHostConnectorDelivery")
            .setNextHopDomain("fabrikam.test").setStatus("Retry").setMessageCount(7)
            .setLastError("451 4.4.0 Primary target IP address responded with: \"421 4.4.2 timeout\"")
            .setNextRetryTime(Instant.parse("2026-12-07T21:00:00.999Z")).build())
        .build();
  }

  /** Only the required fields: every union null, arrays empty, no queue. */
  static TrackingEvent requiredOnly() {
    return TrackingEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T20:51:08Z")).setSource("SMTP")
        .setEventId("RECEIVE").setNetworkMessageId("n-1").build();
  }

  static ProtocolEvent protocolEvent() {
    return ProtocolEvent.newBuilder().setDateTime(Instant.parse("2026-12-07T20:51:08.007Z"))
        .setConnectorId("EX01\\Default Frontend EX01").setSessionId("08DD0000000000A1").setSequenceNumber(3)
        .setLocalEndpoint("127.0.0.1:25").setRemoteEndpoint("127.0.0.1:50123").setEvent("<")
        .setData("MAIL FROM:<carol@example.com>").setContext("SMTPSubmit").build();
  }

  @Test
  void everyTrackingFieldRoundTripsThroughJsonAndAvroWithTheSameCodec() {
    TrackingEvent event = everyField();
    assertEquals(event, tracking.decode(tracking.encodeJson(event)));
    assertEquals(event, tracking.decode(tracking.encode(event)));
  }

  @Test
  void nullUnionsEmptyArraysAndNoQueueRoundTrip() {
    TrackingEvent event = requiredOnly();
    assertEquals(event, tracking.decode(tracking.encodeJson(event)));
    TrackingEvent queueWithNulls = TrackingEvent.newBuilder(requiredOnly())
        .setQueue(QueueState.newBuilder().setIdentity("q").setStatus("Ready").build()).build();
    assertEquals(queueWithNulls, tracking.decode(tracking.encodeJson(queueWithNulls)));
  }

  @Test
  void everyProtocolFieldRoundTripsAndNullsToo() {
    ProtocolEvent event = protocolEvent();
    assertEquals(event, protocol.decode(protocol.encodeJson(event)));
    assertEquals(event, protocol.decode(protocol.encode(event)));
    ProtocolEvent nulls = ProtocolEvent.newBuilder(event).setData(null).setContext(null).build();
    assertEquals(nulls, protocol.decode(protocol.encodeJson(nulls)));
  }

  @Test
  void jsonHasExchangesNamesEveryFieldAndIsoDateTimes() throws Exception {
    JsonNode json = MAPPER.readTree(tracking.encodeJson(everyField()));
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("date-time", "client-ip", "client-hostname", "server-ip", "server-hostname",
        "source-context", "connector-id", "source", "event-id", "internal-message-id", "message-id",
        "network-message-id", "recipient-address", "recipient-status", "total-bytes", "recipient-count",
        "related-recipient-address", "reference", "message-subject", "sender-address", "return-path",
        "message-info", "directionality", "queue"), keys);
    assertEquals("2026-12-07T20:51:08.123Z", json.get("date-time").textValue());
    assertTrue(json.get("recipient-address").isArray());
    assertEquals("bob@contoso.test", json.get("recipient-address").get(1).textValue());
    assertEquals(123_456_789_012L, json.get("total-bytes").longValue());
    JsonNode queue = json.get("queue");
    List<String> queueKeys = new ArrayList<>();
    queue.fieldNames().forEachRemaining(queueKeys::add);
    assertEquals(List.of("identity", "delivery-type", "next-hop-domain", "status", "message-count", "last-error",
        "next-retry-time"), queueKeys);
    assertEquals("2026-12-07T21:00:00.999Z", queue.get("next-retry-time").textValue());

    JsonNode empty = MAPPER.readTree(tracking.encodeJson(requiredOnly()));
    assertEquals(keys.size(), empty.size(), "every field is present, null when empty");
    assertTrue(empty.get("client-ip").isNull());
    assertTrue(empty.get("queue").isNull());
    assertEquals(0, empty.get("recipient-address").size());
    assertEquals("2026-12-07T20:51:08.000Z", empty.get("date-time").textValue(), "milliseconds always written");

    JsonNode p = MAPPER.readTree(protocol.encodeJson(protocolEvent()));
    List<String> pKeys = new ArrayList<>();
    p.fieldNames().forEachRemaining(pKeys::add);
    assertEquals(List.of("date-time", "connector-id", "session-id", "sequence-number", "local-endpoint",
        "remote-endpoint", "event", "data", "context", "direction"), pKeys);
    assertEquals(EventJson.keys(ProtocolEvent.getClassSchema()), pKeys);
  }

  @Test
  void oneLineOfJsonPerRecord() {
    String line = new String(tracking.encodeJson(everyField()), StandardCharsets.UTF_8);
    assertFalse(line.contains("\n"), line);
    assertEquals(line, EventJson.toJson(everyField()));
  }

  @Test
  void anOldAvroRecordAndAJsonRecordWithAnUnknownFieldBothDecode() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/io/mailflow/schemas/history/TrackingEvent-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(v1);
    for (Schema.Field f : v1.getFields()) {
      if (f.hasDefaultValue()) {
        old.put(f.name(), GenericData.get().getDefaultValue(f));
      }
    }
    old.put("dateTime", 1_796_676_668_123L);
    old.put("source", "SMTP");
    old.put("eventId", "RECEIVE");
    old.put("networkMessageId", "old-1");
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] oldBytes = new byte[encoded.remaining()];
    encoded.get(oldBytes);

    TrackingEvent fromOld = tracking.decode(oldBytes);
    assertEquals("old-1", fromOld.getNetworkMessageId());
    assertNull(fromOld.getQueue(), "a field the old writer lacked takes its default");

    String newer = "{\"date-time\":\"2026-12-07T20:51:08.123Z\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\","
        + "\"network-message-id\":\"json-1\",\"tenant-id\":\"t-9\",\"custom-data\":{\"a\":[1,2]},"
        + "\"recipient-address\":[\"alice@contoso.test\"]}";
    TrackingEvent fromJson = tracking.decode(newer.getBytes(StandardCharsets.UTF_8));
    assertEquals("json-1", fromJson.getNetworkMessageId());
    assertEquals(List.of("alice@contoso.test"), fromJson.getRecipientAddress());
    assertNull(fromJson.getClientIp(), "a missing field takes its default");
    assertEquals(List.of(), fromJson.getRecipientStatus());
    assertEquals(0L, fromJson.getTotalBytes());
    assertEquals(Instant.parse("2026-12-07T20:51:08.123Z"), fromJson.getDateTime());
  }

  @Test
  void dateTimeMayBeEpochMillisOrCarryAnOffset() {
    TrackingEvent a = tracking.decode(("{\"date-time\":1796676668123,\"source\":\"SMTP\",\"event-id\":\"RECEIVE\","
        + "\"network-message-id\":\"n\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals(Instant.ofEpochMilli(1_796_676_668_123L), a.getDateTime());
    TrackingEvent b = tracking.decode(("  {\"date-time\":\"2026-12-07T21:51:08.123+01:00\",\"source\":\"SMTP\","
        + "\"event-id\":\"RECEIVE\",\"network-message-id\":\"n\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals(Instant.parse("2026-12-07T20:51:08.123Z"), b.getDateTime());
  }

  @Test
  void dateTimesAreWrittenAndReadAsTheFormatterDoesAcrossTheCalendar() {
    // the hand-written writer and reader against DATE_TIME and Instant.parse: leap days, year and century ends,
    // before 1970, the smallest and largest four-digit years, and sub-millisecond nanos (truncated, as SSS does)
    List<Instant> instants = new ArrayList<>(List.of(Instant.parse("2026-12-07T20:51:08.123Z"),
        Instant.parse("2024-02-29T23:59:59.999Z"), Instant.parse("2000-02-29T00:00:00Z"),
        Instant.parse("1999-12-31T23:59:59.001Z"), Instant.parse("1969-12-31T23:59:59.500Z"),
        Instant.parse("1900-03-01T12:00:00Z"), Instant.parse("0000-01-01T00:00:00Z"),
        Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("2026-06-30T10:11:12.345678901Z"),
        Instant.EPOCH));
    java.util.Random random = new java.util.Random(13);
    for (int i = 0; i < 2000; i++) {
      instants.add(Instant.ofEpochMilli(random.nextLong(-62_000_000_000_000L, 253_000_000_000_000L)));
    }
    for (Instant at : instants) {
      String want = EventJson.DATE_TIME.format(at);
      assertEquals(want, EventJson.dateTime(at), "written for " + at);
      assertEquals(Instant.parse(want), EventJson.parseDateTime(want), "read back " + want);
    }
    // past four digits the formatter writes what it always wrote
    Instant far = Instant.parse("+10000-01-01T00:00:00Z");
    assertEquals(EventJson.DATE_TIME.format(far), EventJson.dateTime(far));
  }

  @Test
  void aDateTimeOfAnotherShapeOrOutOfRangeIsLeftToTheGeneralParser() {
    for (String other : List.of("2026-12-07T20:51:08Z", "2026-12-07T20:51:08.123+01:00", "2026-13-07T20:51:08.123Z",
        "2026-02-29T20:51:08.123Z", "2026-12-07T24:00:00.000Z", "2026-12-07T20:60:08.123Z",
        "2026-12-07T20:51:60.123Z", "2026-12-00T20:51:08.123Z", "2026-12-07 20:51:08.123Z",
        "2026-1a-07T20:51:08.123Z", "-026-12-07T20:51:08.123Z")) {
      assertNull(EventJson.parseDateTime(other), other);
    }
    UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> tracking.decode(
        ("{\"date-time\":\"2026-02-30T20:51:08.123Z\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\","
            + "\"network-message-id\":\"n\"}").getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("TrackingEvent.date-time: '2026-02-30T20:51:08.123Z' is not an ISO-8601"),
        e.getMessage());
  }

  @Test
  void aMissingRequiredFieldIsNamed() {
    UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> tracking.decode(
        "{\"date-time\":\"2026-12-07T20:51:08.123Z\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\"}"
            .getBytes(StandardCharsets.UTF_8)));
    assertEquals("TrackingEvent: JSON has no 'network-message-id' (required)", e.getMessage());
  }

  @Test
  void aValueOfTheWrongTypeIsNamed() {
    UndecodableRecordException e = assertThrows(UndecodableRecordException.class, () -> tracking.decode(
        ("{\"date-time\":\"2026-12-07T20:51:08.123Z\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\","
            + "\"network-message-id\":\"n\",\"total-bytes\":\"many\"}").getBytes(StandardCharsets.UTF_8)));
    assertEquals("TrackingEvent.total-bytes: got \"many\", want long", e.getMessage());
    UndecodableRecordException queue = assertThrows(UndecodableRecordException.class, () -> tracking.decode(
        ("{\"date-time\":\"2026-12-07T20:51:08.123Z\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\","
            + "\"network-message-id\":\"n\",\"queue\":{\"status\":\"Retry\"}}").getBytes(StandardCharsets.UTF_8)));
    assertEquals("TrackingEvent.queue: JSON has no 'identity' (required)", queue.getMessage());
    UndecodableRecordException date = assertThrows(UndecodableRecordException.class, () -> tracking.decode(
        ("{\"date-time\":\"yesterday\",\"source\":\"SMTP\",\"event-id\":\"RECEIVE\",\"network-message-id\":\"n\"}")
            .getBytes(StandardCharsets.UTF_8)));
    assertTrue(date.getMessage().startsWith("TrackingEvent.date-time: 'yesterday' is not an ISO-8601 date-time"),
        date.getMessage());
  }

  @Test
  void brokenJsonAndOtherBytesAreUndecodableWithTheReason() {
    UndecodableRecordException broken = assertThrows(UndecodableRecordException.class,
        () -> tracking.decode("{\"date-time\":".getBytes(StandardCharsets.UTF_8)));
    assertTrue(broken.getMessage().startsWith("TrackingEvent: not valid JSON"), broken.getMessage());
    UndecodableRecordException neither = assertThrows(UndecodableRecordException.class,
        () -> tracking.decode("hello".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("TrackingEvent: not Avro single-object encoded (0xC3 0x01) nor a JSON object ('{'): first bytes "
        + "68 65 6C 6C", neither.getMessage());
    assertThrows(UndecodableRecordException.class, () -> tracking.decode(new byte[0]));
    UndecodableRecordException array = assertThrows(UndecodableRecordException.class,
        () -> tracking.decode("[1]".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(array.getMessage().contains("nor a JSON object"), array.getMessage());
  }

  @Test
  void aCodecForOtherTopicsStillRefusesJson() {
    AvroCodec<TrackingEvent> avroOnly = AvroCodec.of(TrackingEvent.class);
    assertFalse(avroOnly.readsJson());
    assertThrows(UndecodableRecordException.class, () -> avroOnly.decode(tracking.encodeJson(requiredOnly())));
  }

  @Test
  void keysListsTheTopLevelColumns() {
    Iterator<Schema.Field> fields = TrackingEvent.getClassSchema().getFields().iterator();
    for (String key : EventJson.keys(TrackingEvent.getClassSchema())) {
      assertEquals(EventJson.exchangeName(fields.next().name()), key);
    }
    assertEquals("network-message-id", EventJson.exchangeName("networkMessageId"));
  }
}
