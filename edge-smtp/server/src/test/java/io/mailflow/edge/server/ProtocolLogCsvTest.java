package io.mailflow.edge.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.edge.protocol.ReceivedMessage;
import io.mailflow.edge.protocol.SessionHooks;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.edge.protocol.SessionOutput;
import io.mailflow.edge.protocol.SmtpConfig;
import io.mailflow.edge.protocol.SmtpSession;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.smtp.SmtpReply;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProtocolLogCsvTest {

  private static final Instant T0 = Instant.parse("2026-03-04T23:59:58.250Z");

  @TempDir
  Path dir;

  private static ProtocolEvent event(Instant at, long sequence, String event, String data, String context) {
    return ProtocolEvent.newBuilder().setDateTime(at).setConnectorId("EX01\\Default Frontend EX01")
        .setSessionId("08DC0000000000A1").setSequenceNumber(sequence).setLocalEndpoint("127.0.0.1:2525")
        .setRemoteEndpoint("192.0.2.7:40000").setEvent(event).setData(data).setContext(context).build();
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  private static void thread(Runnable task) {
    Thread t = new Thread(task, "test-protocol-log-csv");
    t.setDaemon(true);
    t.start();
  }

  private ProtocolLogCsv csv(EdgeEvents next) {
    return new ProtocolLogCsv(next, dir, Clock.fixed(T0, ZoneOffset.UTC), 100, ProtocolLogCsvTest::thread);
  }

  @Test
  void writesExchangeHeaderAndOneLinePerEventAndPassesEventsOn() throws Exception {
    RecordingEvents kafka = new RecordingEvents();
    try (ProtocolLogCsv csv = csv(kafka)) {
      csv.protocol(event(T0, 0, "+", null, null));
      csv.protocol(event(T0, 1, ">", "220 mx.contoso.com Microsoft ESMTP MAIL Service ready", null));
      await().until(() -> csv.written() == 2);
    }
    assertEquals(2, kafka.protocol.size(), "the wrapped events still get every line");
    assertEquals(List.of(
        "#Software: mailflow",
        "#Version: 15.0.0.0",
        "#Log-type: SMTP Receive Protocol Log",
        "#Date: 2026-03-04T23:59:58.250Z",
        "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context",
        "2026-03-04T23:59:58.250Z,EX01\\Default Frontend EX01,08DC0000000000A1,0,127.0.0.1:2525,192.0.2.7:40000,+,,",
        "2026-03-04T23:59:58.250Z,EX01\\Default Frontend EX01,08DC0000000000A1,1,127.0.0.1:2525,192.0.2.7:40000,>,"
            + "220 mx.contoso.com Microsoft ESMTP MAIL Service ready,"),
        lines(dir.resolve("RECV20260304-1.LOG")));
    assertTrue(new String(Files.readAllBytes(dir.resolve("RECV20260304-1.LOG")), StandardCharsets.UTF_8)
        .endsWith("ready,\r\n"), "lines end with CRLF as in Exchange's logs");
  }

  private ProtocolLogCsv csv(long maxFileSize, long maxDirectorySize, Duration maxAge) {
    return new ProtocolLogCsv(EdgeEvents.NONE, dir, new TransportService(null, maxFileSize, maxDirectorySize, maxAge),
        Clock.fixed(T0, ZoneOffset.UTC), 100, ProtocolLogCsvTest::thread);
  }

  private static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private Path file(String name, int size, Instant modified) throws Exception {
    Path p = Files.write(dir.resolve(name), new byte[size]);
    Files.setLastModifiedTime(p, FileTime.from(modified));
    return p;
  }

  @Test
  void rollsOverToTheNextNumberAtTheSizeLimitWithoutSplittingALineAndEachFileHasTheHeader() throws Exception {
    int header = bytes(ProtocolLogCsv.header(T0));
    int line = bytes(ProtocolLogCsv.line(event(T0, 0, "<", "NOOP", null)));
    // room for exactly two lines: the second ends on the limit, the third would pass it
    try (ProtocolLogCsv csv = csv(header + 2L * line, Long.MAX_VALUE, Duration.ZERO)) {
      for (int i = 0; i < 5; i++) {
        csv.protocol(event(T0, i, "<", "NOOP", null));
      }
    }
    assertEquals(List.of("RECV20260304-1.LOG", "RECV20260304-2.LOG", "RECV20260304-3.LOG"), names());
    for (String name : names()) {
      List<String> lines = lines(dir.resolve(name));
      assertEquals("#Software: mailflow", lines.get(0), name);
      assertTrue(lines.get(4).startsWith("#Fields: date-time,"), name);
      assertTrue(Files.size(dir.resolve(name)) <= header + 2L * line, name + " within the limit");
    }
    assertEquals(header + 2L * line, Files.size(dir.resolve("RECV20260304-1.LOG")), "filled up to the limit exactly");
    assertEquals(7, lines(dir.resolve("RECV20260304-2.LOG")).size());
    List<String> last = lines(dir.resolve("RECV20260304-3.LOG"));
    assertEquals(6, last.size());
    assertTrue(last.get(5).contains(",4,") && last.get(5).endsWith(",<,NOOP,"), "whole lines, in order: " + last);
  }

  @Test
  void aLineLongerThanTheLimitGetsAFileOfItsOwn() throws Exception {
    try (ProtocolLogCsv csv = csv(10, Long.MAX_VALUE, Duration.ZERO)) {
      csv.protocol(event(T0, 0, "+", null, null));
      csv.protocol(event(T0, 1, "<", "EHLO client.example", null));
    }
    assertEquals(List.of("RECV20260304-1.LOG", "RECV20260304-2.LOG"), names());
    assertEquals(6, lines(dir.resolve("RECV20260304-1.LOG")).size());
    assertTrue(lines(dir.resolve("RECV20260304-2.LOG")).get(5).endsWith("EHLO client.example,"));
  }

  @Test
  void aRestartAppendsToTheDaysLastFileAndGoesOnCounting() throws Exception {
    int header = bytes(ProtocolLogCsv.header(T0));
    int line = bytes(ProtocolLogCsv.line(event(T0, 0, "<", "NOOP", null)));
    for (int run = 0; run < 2; run++) {
      try (ProtocolLogCsv csv = csv(header + 2L * line, Long.MAX_VALUE, Duration.ZERO)) {
        for (int i = 0; i < 3; i++) {
          csv.protocol(event(T0, i, "<", "NOOP", null));
        }
      }
    }
    // run 1: -1 (2 lines), -2 (1 line); run 2: -2 gets one more, then -3 (2 lines)
    assertEquals(List.of("RECV20260304-1.LOG", "RECV20260304-2.LOG", "RECV20260304-3.LOG"), names());
    assertEquals(7, lines(dir.resolve("RECV20260304-2.LOG")).size());
    assertEquals(1, lines(dir.resolve("RECV20260304-2.LOG")).stream().filter(l -> l.startsWith("#Fields")).count());
  }

  @Test
  void deletesOurFilesOlderThanTheMaximumAgeAndLeavesOtherFilesAlone() throws Exception {
    Instant old = T0.minus(Duration.ofDays(31));
    file("RECV20260201-1.LOG", 100, old);
    file("RECV20260201-2.LOG", 100, old);
    file("RECV20260302-1.LOG", 100, T0.minus(Duration.ofDays(2)));
    file("notes.txt", 100, old);
    file("RECV20260201-1.LOG.bak", 100, old);
    file("SEND20260201-1.LOG", 100, old);
    try (ProtocolLogCsv csv = csv(1024, Long.MAX_VALUE, Duration.ofDays(30))) {
      csv.protocol(event(T0, 0, "+", null, null));
      csv.close();
      assertEquals(2, csv.deleted());
    }
    assertEquals(List.of("RECV20260201-1.LOG.bak", "RECV20260302-1.LOG", "RECV20260304-1.LOG", "SEND20260201-1.LOG",
        "notes.txt"), names());
  }

  @Test
  void aZeroMaximumAgeKeepsFilesWhateverTheirAge() throws Exception {
    file("RECV20200101-1.LOG", 100, T0.minus(Duration.ofDays(3000)));
    try (ProtocolLogCsv csv = csv(1024, Long.MAX_VALUE, Duration.ZERO)) {
      csv.protocol(event(T0, 0, "+", null, null));
    }
    assertEquals(List.of("RECV20200101-1.LOG", "RECV20260304-1.LOG"), names());
  }

  @Test
  void deletesTheOldestOfOurFilesWhileTheDirectoryIsOverItsSize() throws Exception {
    file("RECV20260301-1.LOG", 1000, T0);
    file("RECV20260301-2.LOG", 1000, T0.minusSeconds(60)); // names decide the order, not times
    file("RECV20260303-1.LOG", 1000, T0);
    file("other.csv", 50_000, T0.minus(Duration.ofDays(400)));
    int header = bytes(ProtocolLogCsv.header(T0));
    // 3000 + the new file must fit in 2000 + header: the two oldest of ours go, other.csv is not counted
    try (ProtocolLogCsv csv = csv(1000, 2000L + header + 200, Duration.ZERO)) {
      csv.protocol(event(T0, 0, "+", null, null));
      csv.close();
      assertEquals(1, csv.deleted());
    }
    assertEquals(List.of("RECV20260301-2.LOG", "RECV20260303-1.LOG", "RECV20260304-1.LOG", "other.csv"), names());
  }

  @Test
  void neverDeletesTheFileBeingWrittenEvenWhenItAloneIsOverTheDirectorySize() throws Exception {
    try (ProtocolLogCsv csv = csv(50, 50, Duration.ZERO)) {
      for (int i = 0; i < 3; i++) {
        csv.protocol(event(T0, i, "<", "NOOP", null));
      }
      csv.close();
      assertEquals(3, csv.written());
      assertEquals(2, csv.deleted(), "each rollover removes the file before");
    }
    assertEquals(List.of("RECV20260304-3.LOG"), names());
    assertTrue(lines(dir.resolve("RECV20260304-3.LOG")).get(5).contains(",2,"));
  }

  @Test
  void quotesFieldsWithCommasQuotesAndLineBreaksPerRfc4180() {
    assertEquals("plain text", ProtocolLogCsv.field("plain text"));
    assertEquals("\"a,b\"", ProtocolLogCsv.field("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", ProtocolLogCsv.field("say \"hi\""));
    assertEquals("\"two\r\nlines\"", ProtocolLogCsv.field("two\r\nlines"));
    assertEquals("", ProtocolLogCsv.field(null));
    String line = ProtocolLogCsv.line(event(T0, 7, "*", "rights: SMTPSubmit, AcceptRoutingHeaders", "Set \"Session\" Permissions"));
    assertTrue(line.endsWith(",*,\"rights: SMTPSubmit, AcceptRoutingHeaders\",\"Set \"\"Session\"\" Permissions\"\r\n"),
        line);
  }

  @Test
  void startsANewFileWithItsOwnHeaderWhenTheUtcDayChanges() throws Exception {
    Instant nextDay = T0.plus(Duration.ofSeconds(2));
    try (ProtocolLogCsv csv = csv(EdgeEvents.NONE)) {
      csv.protocol(event(T0, 0, "+", null, null));
      csv.protocol(event(nextDay, 1, "-", null, "Remote"));
      await().until(() -> csv.written() == 2);
    }
    List<String> first = lines(dir.resolve("RECV20260304-1.LOG"));
    List<String> second = lines(dir.resolve("RECV20260305-1.LOG"));
    assertEquals(6, first.size(), "5 header lines and the connect: " + first);
    assertEquals("#Software: mailflow", second.get(0));
    assertEquals(6, second.size(), second.toString());
    assertTrue(second.get(5).startsWith("2026-03-05T00:00:00.250Z,"), second.get(5));
  }

  @Test
  void appendsWithoutAnotherHeaderWhenTheDaysFileExists() throws Exception {
    try (ProtocolLogCsv csv = csv(EdgeEvents.NONE)) {
      csv.protocol(event(T0, 0, "+", null, null));
      await().until(() -> csv.written() == 1);
    }
    try (ProtocolLogCsv csv = csv(EdgeEvents.NONE)) {
      csv.protocol(event(T0, 1, "-", null, "Local"));
      await().until(() -> csv.written() == 1);
    }
    List<String> lines = lines(dir.resolve("RECV20260304-1.LOG"));
    assertEquals(7, lines.size(), lines.toString());
    assertEquals(1, lines.stream().filter(l -> l.startsWith("#Fields:")).count());
  }

  @Test
  void dropsAndCountsLinesWhenTheQueueIsFullInsteadOfBlocking() throws Exception {
    List<Runnable> held = new ArrayList<>();
    RecordingEvents kafka = new RecordingEvents();
    ProtocolLogCsv csv = new ProtocolLogCsv(kafka, dir, Clock.fixed(T0, ZoneOffset.UTC), 2, held::add);
    for (int i = 0; i < 5; i++) {
      csv.protocol(event(T0, i, "<", "NOOP", null)); // writer not running: only 2 fit
    }
    assertEquals(3, csv.dropped());
    assertEquals(5, kafka.protocol.size(), "dropping a CSV line never loses the event itself");
    thread(held.get(0));
    csv.close();
    assertEquals(2, csv.written());
    assertEquals(7, lines(dir.resolve("RECV20260304-1.LOG")).size());
  }

  @Test
  void aMissingDirectoryIsACleanError() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ProtocolLogCsv(EdgeEvents.NONE, null));
    assertTrue(e.getMessage().contains("protocol log directory"), e.getMessage());
  }

  @Test
  void defaultDirectoryIsExchangesUnderTheDataDir() {
    assertEquals(Path.of("data", "logs", "ProtocolLog", "SmtpReceive"), ProtocolLogCsv.defaultDirectory(Path.of("data")));
  }

  @Test
  void aSessionThatAuthenticatesLeavesNoPasswordInTheCsv() throws Exception {
    String password = "Pa55-w0rd!";
    String plain = Base64.getEncoder().encodeToString(("\0alice@contoso.com\0" + password).getBytes(StandardCharsets.UTF_8));
    String loginUser = Base64.getEncoder().encodeToString("alice@contoso.com".getBytes(StandardCharsets.UTF_8));
    String loginPassword = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
    try (ProtocolLogCsv csv = csv(EdgeEvents.NONE)) {
      String[] dialogues = {
          "EHLO client.example\r\nAUTH PLAIN " + plain + "\r\nQUIT\r\n",
          "EHLO client.example\r\nAUTH LOGIN\r\n" + loginUser + "\r\n" + loginPassword + "\r\nQUIT\r\n"};
      for (String dialogue : dialogues) {
        ProtocolLog log = new ProtocolLog(true, csv, Clock.fixed(T0, ZoneOffset.UTC), "EX01\\Client Frontend EX01",
            "08DC0000000000B2", "127.0.0.1:2587", "192.0.2.7:40001");
        SmtpSession session = new SmtpSession(SmtpConfig.defaults("mx.contoso.com").withAuth(true, false),
            new AcceptingHooks(), new LoggingOutput(log), SessionInfo.connected("08DC0000000000B2",
                new InetSocketAddress("192.0.2.7", 40001), new InetSocketAddress("127.0.0.1", 2587), false),
            Runnable::run);
        log.connected();
        session.start();
        session.feed(dialogue.getBytes(StandardCharsets.US_ASCII));
      }
      await().until(() -> csv.written() > 30);
    }
    String text = Files.readString(dir.resolve("RECV20260304-1.LOG"));
    assertTrue(text.contains(",<,AUTH PLAIN"), "the AUTH command is logged, redacted: " + text);
    assertEquals(2, text.split(",235 2.7.0 Authentication successful", -1).length - 1, "both logons happened: " + text);
    assertFalse(text.contains(password), text);
    assertFalse(text.contains(plain), text);
    assertFalse(text.contains(loginPassword), text);
  }

  /** The adapter's part of a session, as SmtpConnection does it: replies and commands to the log. */
  private static final class LoggingOutput implements SessionOutput {
    private final ProtocolLog log;

    LoggingOutput(ProtocolLog log) {
      this.log = log;
    }

    @Override
    public void send(SmtpReply reply) {
      log.sent(reply);
    }

    @Override
    public void close() {
      log.disconnected("Local");
    }

    @Override
    public void startTls() {}

    @Override
    public void commandReceived(String line) {
      log.received(line);
    }
  }

  /** Any logon succeeds: the point is what the log holds, not who may log on. */
  private static final class AcceptingHooks implements SessionHooks {
    @Override
    public CompletionStage<Optional<String>> authenticate(SessionInfo s, String mechanism, String user,
        char[] password) {
      return CompletableFuture.completedFuture(Optional.of(user));
    }

    @Override
    public CompletionStage<SmtpReply> message(ReceivedMessage message) {
      return CompletableFuture.completedFuture(SmtpReply.of(250, "2.6.0", "queued"));
    }
  }
}
