package io.mailflow.logs.bench;

import io.mailflow.logs.ExchangeLogWriter;
import io.mailflow.logs.ExchangeLogs;
import io.mailflow.logs.LogLimits;
import io.mailflow.logs.MessageTrackingLogFile;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * LogWriterBenchmark - MSGTRK lines/s one ExchangeLogWriter sustains on this disk: one producer thread offers a typical
 * RECEIVE event as fast as the queue takes it (spinning when full rather than dropping) for SECONDS, 10 MB files.
 * A test-scope main (nothing asserts on time), run by ops/bench/exchange-logs.sh.
 */
public final class LogWriterBenchmark {
  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(System.getProperty("seconds", "5"));
    Path dir = Files.createTempDirectory("msgtrk-bench");
    ExchangeLogWriter writer = new ExchangeLogWriter(dir, List.of(ExchangeLogs.MSGTRK, ExchangeLogs.MSGTRKMD),
        new LogLimits(10L * 1024 * 1024, 1000L * 1024 * 1024, Duration.ZERO), Clock.systemUTC(),
        ExchangeLogWriter.DEFAULT_QUEUE_CAPACITY, task -> new Thread(task, "bench-writer").start());
    TrackingEvent event = TrackingEvent.newBuilder().setDateTime(Instant.now()).setServerHostname("EX01")
        .setSource("SMTP").setEventId("RECEIVE").setNetworkMessageId("0b5c4f0e9d3a4c6f8e2a7b1c9d0e3f4a")
        .setMessageId("<1234567890abcdef@fabrikam.test>").setInternalMessageId("73014444033")
        .setRecipientAddress(List.of("alice@contoso.test", "bob@contoso.test")).setRecipientCount(2)
        .setTotalBytes(4096).setMessageSubject("Quarterly report, draft 3").setSenderAddress("carol@fabrikam.test")
        .setReturnPath("carol@fabrikam.test").setClientIp("192.0.2.7").setClientHostname("mail.fabrikam.test")
        .setConnectorId("EX01\\Default Frontend EX01").setSourceContext("08DC0000000000A1").build();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    long offered = 0;
    while (System.nanoTime() < end) {
      if (writer.write(ExchangeLogs.MSGTRK, Instant.now(), MessageTrackingLogFile.values(event))) {
        offered++;
      } else {
        Thread.onSpinWait();
      }
    }
    long dropped = writer.dropped();
    writer.close();
    long bytes;
    try (var files = Files.list(dir)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf("MSGTRK writer: %,d lines/s written (%d s, %,d lines, %.1f MB, %d queue-full refusals)%n",
        writer.written() / seconds, seconds, writer.written(), bytes / 1e6, dropped);
    try (var files = Files.list(dir)) {
      files.forEach(p -> p.toFile().delete());
    }
    Files.delete(dir);
  }
}
