package io.mailflow.logs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.schemas.avro.ProtocolDirection;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three kinds of file read back with Commons CSV and checked against Exchange's documented format. */
class ExchangeLogFilesTest {
  // https://learn.microsoft.com/en-us/exchange/mail-flow/transport-logs/message-tracking#fields-in-the-message-tracking-log-files
  private static final List<String> MESSAGE_TRACKING_FIELDS = List.of("date-time", "client-ip", "client-hostname",
      "server-ip", "server-hostname", "source-context", "connector-id", "source", "event-id", "internal-message-id",
      "message-id", "network-message-id", "recipient-address", "recipient-status", "total-bytes", "recipient-count",
      "related-recipient-address", "reference", "message-subject", "sender-address", "return-path", "message-info",
      "directionality", "tenant-id", "original-client-ip", "original-server-ip", "custom-data",
      "transport-traffic-type", "log-id", "schema-version");
  // https://learn.microsoft.com/en-us/exchange/mail-flow/connectors/protocol-logging#fields-in-the-protocol-log
  private static final List<String> PROTOCOL_FIELDS = List.of("date-time", "connector-id", "session-id",
      "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context");

  private static final Instant T0 = Instant.parse("2026-03-04T10:59:59.250Z");

  @TempDir
  Path dir;

  private static void thread(Runnable task) {
    Thread t = new Thread(task, "test-log-writer");
    t.setDaemon(true);
    t.start();
  }

  private ExchangeLogWriter writer(List<LogFormat> formats, LogLimits limits, int capacity, Executor executor) {
    return new ExchangeLogWriter(dir, formats, limits, Clock.fixed(T0, ZoneOffset.UTC), capacity, executor);
  }

  private ExchangeLogWriter writer(List<LogFormat> formats, LogLimits limits) {
    return writer(formats, limits, 1000, ExchangeLogFilesTest::thread);
  }

  private static LogLimits unlimited() {
    return new LogLimits(Long.MAX_VALUE, Long.MAX_VALUE, Duration.ZERO);
  }

  private static TrackingEvent tracking(Instant at, String source, String eventId) {
    return TrackingEvent.newBuilder().setDateTime(at).setServerHostname("EX01").setSource(source).setEventId(eventId)
        .setNetworkMessageId("nmid-1").setMessageId("<m1@fabrikam.test>").setInternalMessageId("42")
        .setRecipientAddress(List.of("alice@contoso.test", "bob@contoso.test"))
        .setRecipientStatus(List.of("250 2.1.5 OK", "250 2.1.5 OK")).setRecipientCount(2).setTotalBytes(1234)
        .setMessageSubject("Lunch, \"today\"").setSenderAddress("carol@fabrikam.test")
        .setReturnPath("carol@fabrikam.test").setClientIp("192.0.2.7").setConnectorId("Default Frontend EX01").build();
  }

  private static ProtocolEvent protocol(Instant at, long n, String event, String data, ProtocolDirection direction) {
    return ProtocolEvent.newBuilder().setDateTime(at).setConnectorId("Outbound to fabrikam").setSessionId("08DC00A1")
        .setSequenceNumber(n).setLocalEndpoint("192.0.2.1:40000").setRemoteEndpoint("198.51.100.25:25").setEvent(event)
        .setData(data).setContext(null).setDirection(direction).build();
  }

  /** The five header lines, then the records, parsed as Exchange's readers would: comment lines skipped. */
  private record Parsed(List<String> header, List<CSVRecord> records) {}

  private static Parsed parse(Path file) throws Exception {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\r\n"), "CRLF line ends");
    List<String> header = text.lines().filter(l -> l.startsWith("#")).collect(Collectors.toList());
    try (Reader in = new StringReader(text)) {
      List<CSVRecord> records = CSVFormat.DEFAULT.builder().setCommentMarker('#').get().parse(in).getRecords();
      return new Parsed(header, records);
    }
  }

  private static void assertHeader(List<String> header, String logType, List<String> fields) {
    assertEquals(5, header.size(), header.toString());
    assertEquals("#Software: mailflow", header.get(0));
    assertEquals("#Version: 15.0.0.0", header.get(1));
    assertEquals("#Log-type: " + logType, header.get(2));
    assertEquals("#Date: 2026-03-04T10:59:59.250Z", header.get(3));
    assertEquals("#Fields: " + String.join(",", fields), header.get(4));
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void messageTrackingFilesHaveExchangesHeaderAndFieldsAndMailboxDeliveryGoesToMsgtrkmd() throws Exception {
    try (MessageTrackingLogFile log = new MessageTrackingLogFile(writer(
        List.of(ExchangeLogs.MSGTRK, ExchangeLogs.MSGTRKMD), unlimited()))) {
      log.accept(tracking(T0, "SMTP", "RECEIVE"));
      log.accept(tracking(T0, "STOREDRIVER", "DELIVER"));
      log.accept(TrackingEvent.newBuilder().setDateTime(T0).setSource("QUEUE").setEventId("QUEUESTATE")
          .setNetworkMessageId("").setQueue(QueueState.newBuilder().setIdentity("SmtpRelay:fabrikam.test")
              .setStatus("Retry").setMessageCount(3).setLastError("421 4.4.2 timed out").build()).build());
    }
    assertEquals(List.of("MSGTRK2026030410-1.LOG", "MSGTRKMD2026030410-1.LOG"), names());

    Parsed msgtrk = parse(dir.resolve("MSGTRK2026030410-1.LOG"));
    assertHeader(msgtrk.header(), "Message Tracking Log", MESSAGE_TRACKING_FIELDS);
    assertEquals(2, msgtrk.records().size());
    CSVRecord receive = msgtrk.records().get(0);
    assertEquals(MESSAGE_TRACKING_FIELDS.size(), receive.size());
    assertEquals("2026-03-04T10:59:59.250Z", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("date-time")));
    assertEquals("RECEIVE", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("event-id")));
    assertEquals("SMTP", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("source")));
    assertEquals("alice@contoso.test;bob@contoso.test", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("recipient-address")),
        "multi-value fields joined with ';' as Exchange does");
    assertEquals("250 2.1.5 OK;250 2.1.5 OK", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("recipient-status")));
    assertEquals("Lunch, \"today\"", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("message-subject")),
        "quoted so that it reads back whole");
    assertEquals("1234", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("total-bytes")));
    assertEquals("2", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("recipient-count")));
    assertEquals("Email", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("transport-traffic-type")));
    assertEquals("15.0.0.0", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("schema-version")));
    assertEquals("", receive.get(MESSAGE_TRACKING_FIELDS.indexOf("tenant-id")));
    CSVRecord queue = msgtrk.records().get(1);
    assertEquals("S:Identity=SmtpRelay:fabrikam.test;S:Status=Retry;S:MessageCount=3;S:LastError=421 4.4.2 timed out",
        queue.get(MESSAGE_TRACKING_FIELDS.indexOf("custom-data")));

    Parsed md = parse(dir.resolve("MSGTRKMD2026030410-1.LOG"));
    assertHeader(md.header(), "Message Tracking Log", MESSAGE_TRACKING_FIELDS);
    assertEquals("DELIVER", md.records().get(0).get(MESSAGE_TRACKING_FIELDS.indexOf("event-id")));
  }

  @Test
  void protocolLogFilesHaveExchangesHeaderAndFieldsForReceiveAndSend() throws Exception {
    try (ProtocolLogFile recv = new ProtocolLogFile(ExchangeLogs.RECV, writer(List.of(ExchangeLogs.RECV), unlimited()));
        ProtocolLogFile send = new ProtocolLogFile(ExchangeLogs.SEND, writer(List.of(ExchangeLogs.SEND), unlimited()))) {
      recv.accept(protocol(T0, 0, "+", null, ProtocolDirection.Receive));
      send.accept(protocol(T0, 0, "+", null, ProtocolDirection.Send));
      send.accept(protocol(T0, 1, "<", "250-mx.fabrikam.test Hello SIZE 37748736 PIPELINING", ProtocolDirection.Send));
      send.accept(protocol(T0, 2, ">", "MAIL FROM:<carol@contoso.test> SIZE=1234", ProtocolDirection.Send));
    }
    assertEquals(List.of("RECV20260304-1.LOG", "SEND20260304-1.LOG"), names());
    Parsed recv = parse(dir.resolve("RECV20260304-1.LOG"));
    assertHeader(recv.header(), "SMTP Receive Protocol Log", PROTOCOL_FIELDS);
    Parsed send = parse(dir.resolve("SEND20260304-1.LOG"));
    assertHeader(send.header(), "SMTP Send Protocol Log", PROTOCOL_FIELDS);
    assertEquals(3, send.records().size());
    CSVRecord mail = send.records().get(2);
    assertEquals(List.of("2026-03-04T10:59:59.250Z", "Outbound to fabrikam", "08DC00A1", "2", "192.0.2.1:40000",
        "198.51.100.25:25", ">", "MAIL FROM:<carol@contoso.test> SIZE=1234", ""), mail.toList());
  }

  @Test
  void messageTrackingRollsOverEachHourAndAtTheMaximumFileSize() throws Exception {
    LogFormat f = ExchangeLogs.MSGTRK;
    long header = f.header(T0).getBytes(StandardCharsets.UTF_8).length;
    try (ExchangeLogWriter w = writer(List.of(f), new LogLimits(header + 1, Long.MAX_VALUE, Duration.ZERO))) {
      w.write(f, T0, MessageTrackingLogFile.values(tracking(T0, "SMTP", "RECEIVE")));
      w.write(f, T0, MessageTrackingLogFile.values(tracking(T0, "SMTP", "SEND")));
      Instant next = T0.plusMillis(750); // 11:00:00.000: the next hour
      w.write(f, next, MessageTrackingLogFile.values(tracking(next, "SMTP", "SEND")));
      w.write(f, T0, MessageTrackingLogFile.values(tracking(T0, "ROUTING", "TRANSFER"))); // late: stays in 11
    }
    assertEquals(List.of("MSGTRK2026030410-1.LOG", "MSGTRK2026030410-2.LOG", "MSGTRK2026030411-1.LOG",
        "MSGTRK2026030411-2.LOG"), names());
    assertEquals("TRANSFER", parse(dir.resolve("MSGTRK2026030411-2.LOG")).records().get(0).get(8));
  }

  @Test
  void cleanupDeletesByAgeAndByEachPrefixsDirectorySizeAndLeavesOtherFilesAlone() throws Exception {
    Instant old = T0.minus(Duration.ofDays(31));
    file("MSGTRK2026020100-1.LOG", 100, old);
    file("MSGTRK2026030301-1.LOG", 1000, T0);
    file("MSGTRK2026030302-1.LOG", 1000, T0);
    file("MSGTRKMD2026030301-1.LOG", 1000, T0); // its own prefix: counted apart
    file("RECV20260201-1.LOG", 100, old); // another log's
    file("notes.txt", 100, old);
    long header = ExchangeLogs.MSGTRK.header(T0).getBytes(StandardCharsets.UTF_8).length;
    ExchangeLogWriter w = writer(List.of(ExchangeLogs.MSGTRK, ExchangeLogs.MSGTRKMD),
        new LogLimits(Long.MAX_VALUE, 2000 + header - 1, Duration.ofDays(30))); // checked as the file opens
    w.write(ExchangeLogs.MSGTRK, T0, MessageTrackingLogFile.values(tracking(T0, "SMTP", "RECEIVE")));
    w.close();
    assertEquals(2, w.deleted(), "the old one by age, the oldest of the rest by size");
    assertEquals(List.of("MSGTRK2026030302-1.LOG", "MSGTRK2026030410-1.LOG", "MSGTRKMD2026030301-1.LOG",
        "RECV20260201-1.LOG", "notes.txt"), names());
  }

  private void file(String name, int size, Instant modified) throws Exception {
    Path p = Files.write(dir.resolve(name), new byte[size]);
    Files.setLastModifiedTime(p, FileTime.from(modified));
  }

  @Test
  void aStalledDiskDropsAndCountsLinesInsteadOfBlockingTheCaller() throws Exception {
    CountDownLatch disk = new CountDownLatch(1);
    // the writer thread is stuck as on a disk that does not answer; the callers must not be
    ExchangeLogWriter w = writer(List.of(ExchangeLogs.SEND), unlimited(), 3, task -> thread(() -> {
      try {
        disk.await();
      } catch (InterruptedException e) {
        return;
      }
      task.run();
    }));
    int accepted = 0;
    for (int i = 0; i < 10; i++) {
      if (w.write(ExchangeLogs.SEND, T0, ProtocolLogFile.values(protocol(T0, i, "<", "NOOP", ProtocolDirection.Send)))) {
        accepted++;
      }
    }
    assertEquals(3, accepted);
    assertEquals(7, w.dropped());
    disk.countDown();
    await().until(() -> w.written() == 3);
    w.close();
    assertEquals(3, parse(dir.resolve("SEND20260304-1.LOG")).records().size());
    assertFalse(w.write(ExchangeLogs.SEND, T0, ProtocolLogFile.values(protocol(T0, 9, "-", null,
        ProtocolDirection.Send))), "a closed writer drops too");
  }

  @Test
  void aMissingSubjectIsAnEmptyField() throws Exception {
    TrackingEvent noSubject = TrackingEvent.newBuilder(tracking(T0, "SMTP", "RECEIVE")).setMessageSubject(null).build();
    try (MessageTrackingLogFile log = new MessageTrackingLogFile(writer(List.of(ExchangeLogs.MSGTRK,
        ExchangeLogs.MSGTRKMD), unlimited()))) {
      log.accept(noSubject);
    }
    CSVRecord r = parse(dir.resolve("MSGTRK2026030410-1.LOG")).records().get(0);
    assertEquals("", r.get(MESSAGE_TRACKING_FIELDS.indexOf("message-subject")));
  }

  @Test
  void badInputIsRefusedWithAClearError() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new LogFormat("msgtrk", LogFormat.Rollover.HOUR, "x", List.of("a"))).getMessage()
        .contains("capital letters"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogLimits(0, 1, Duration.ZERO)).getMessage()
        .contains("at least 1 byte"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogLimits(1, 1, Duration.ofDays(-1)))
        .getMessage().contains("maxAge"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new ExchangeLogWriter(null, List.of(ExchangeLogs.RECV), unlimited(), Clock.systemUTC(), 1, r -> { }))
        .getMessage().contains("log directory"));
    ExchangeLogWriter w = writer(List.of(ExchangeLogs.RECV), unlimited(), 1, r -> { });
    assertTrue(assertThrows(IllegalArgumentException.class, () -> w.write(ExchangeLogs.SEND, T0, "x")).getMessage()
        .contains("does not write SEND"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> w.write(ExchangeLogs.RECV, T0, "x")).getMessage()
        .contains("9 values per line, got 1"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ProtocolLogFile(ExchangeLogs.MSGTRK, w))
        .getMessage().contains("not a protocol log"));
  }

  @Test
  void fileNamesCarryTheUtcPeriodAndNumber() {
    assertEquals("MSGTRK2026030410-3.LOG", ExchangeLogs.MSGTRK.fileName(
        ExchangeLogs.MSGTRK.rollover().periodOf(T0), 3));
    assertEquals("SEND20260304-1.LOG", ExchangeLogs.SEND.fileName(ExchangeLogs.SEND.rollover().periodOf(T0), 1));
    assertEquals(new ArrayList<>(MESSAGE_TRACKING_FIELDS), ExchangeLogs.MSGTRKMD.fields());
  }
}
