package io.mailflow.edge.server;

import io.mailflow.logs.ExchangeLogWriter;
import io.mailflow.logs.ExchangeLogs;
import io.mailflow.logs.LogLimits;
import io.mailflow.logs.ProtocolLogFile;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * ProtocolLogCsv - protocol-log lines also as Exchange's CSV files ({@code RECV<yyyyMMdd>-<n>.LOG} in UTC days,
 * Exchange's header lines at the top of each file, RFC 4180 quoting), passing every event on to the events it wraps.
 * Only connectors with protocolLoggingLevel Verbose emit protocol events at all (ProtocolLog), so every line that
 * reaches it is written.
 *
 * <p>The files are schemas/logs' {@link ExchangeLogWriter} with {@link TransportService}'s ReceiveProtocolLog* limits:
 * rolled over each day and at ReceiveProtocolLogMaxFileSize, cleaned up by ReceiveProtocolLogMaxAge and
 * ReceiveProtocolLogMaxDirectorySize, written by one thread from a bounded queue. Event loops call {@link #protocol};
 * it never blocks them: when the queue is full (the disk is slower than the sessions) the line is dropped and counted
 * in {@link #dropped()}, as a lost event never fails a session (EdgeEvents).
 */
public final class ProtocolLogCsv implements EdgeEvents, AutoCloseable {
  /** Lines waiting for the writer at most. */
  public static final int DEFAULT_QUEUE_CAPACITY = ExchangeLogWriter.DEFAULT_QUEUE_CAPACITY;
  static final String FIELDS = String.join(",", ExchangeLogs.PROTOCOL_FIELDS);

  private final EdgeEvents delegate;
  private final ProtocolLogFile file;

  /** Writes under {@code directory} (made when missing) on a writer thread of its own, with Exchange's limits. */
  public ProtocolLogCsv(EdgeEvents delegate, Path directory) {
    this(delegate, directory, TransportService.defaults());
  }

  /** Writes under {@code directory} with the node's ReceiveProtocolLog* limits (its path is the caller's). */
  public ProtocolLogCsv(EdgeEvents delegate, Path directory, TransportService limits) {
    this(delegate, directory, limits, Clock.systemUTC(), DEFAULT_QUEUE_CAPACITY, task -> {
      Thread thread = new Thread(task, "protocol-log-csv");
      thread.setDaemon(true);
      thread.start();
    });
  }

  ProtocolLogCsv(EdgeEvents delegate, Path directory, Clock clock, int queueCapacity, Executor writer) {
    this(delegate, directory, TransportService.defaults(), clock, queueCapacity, writer);
  }

  /**
   * @param writer runs the writer loop (tests hold it back to fill the queue); clock dates the headers and
   *     decides which files are older than the maximum age
   */
  ProtocolLogCsv(EdgeEvents delegate, Path directory, TransportService limits, Clock clock, int queueCapacity,
      Executor writer) {
    if (directory == null) {
      throw new IllegalArgumentException("protocol log directory must be given");
    }
    TransportService t = limits == null ? TransportService.defaults() : limits;
    this.delegate = delegate == null ? EdgeEvents.NONE : delegate;
    this.file = new ProtocolLogFile(ExchangeLogs.RECV, new ExchangeLogWriter(directory, List.of(ExchangeLogs.RECV),
        new LogLimits(t.receiveProtocolLogMaxFileSize(), t.receiveProtocolLogMaxDirectorySize(),
            t.receiveProtocolLogMaxAge()), clock, queueCapacity, writer));
  }

  /** Exchange's place for receive protocol logs, under the node's data directory. */
  public static Path defaultDirectory(Path dataDir) {
    return dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpReceive");
  }

  @Override
  public void protocol(ProtocolEvent event) {
    delegate.protocol(event);
    file.accept(event);
  }

  @Override
  public void tracking(TrackingEvent event) {
    delegate.tracking(event);
  }

  /** Lines lost because the queue was full, the log closed, or the disk failed. */
  public long dropped() {
    return file.writer().dropped();
  }

  /** Lines written to files so far. */
  public long written() {
    return file.writer().written();
  }

  /** Log files deleted by age or directory size so far. */
  public long deleted() {
    return file.writer().deleted();
  }

  /** The writer, for its meters. */
  public ExchangeLogWriter writer() {
    return file.writer();
  }

  /** Writes what is queued, then stops the writer (waits up to 10 s). Not for event loops. */
  @Override
  public void close() {
    file.close();
  }

  /** Exchange's five header lines, dated {@code at}. */
  static String header(Instant at) {
    return ExchangeLogs.RECV.header(at);
  }

  /** Exchange's name for a day's {@code n}th receive protocol log file. */
  static String fileName(LocalDate day, int n) {
    return ExchangeLogs.RECV.fileName(day.atStartOfDay(), n);
  }

  static String line(ProtocolEvent e) {
    return ExchangeLogWriter.line(ProtocolLogFile.values(e));
  }

  /** RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled; null as empty. */
  static String field(CharSequence value) {
    String line = ExchangeLogWriter.line(value == null ? null : value.toString(), "");
    return line.substring(0, line.length() - 3); // without ",\r\n"
  }
}
