package io.mailflow.edge.server;

import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ProtocolLogCsv - protocol-log lines also as Exchange's daily CSV files ({@code RECV<yyyyMMdd>-1.LOG}
 * in UTC days, Exchange's header lines, RFC 4180 quoting), passing every event on to the events it
 * wraps. Only connectors with protocolLoggingLevel Verbose emit protocol events at all (ProtocolLog),
 * so every line that reaches it is written.
 *
 * <p>Event loops call {@link #protocol}; it never blocks them: events go into a bounded queue that one
 * writer thread drains. When the queue is full (the disk is slower than the sessions) the line is
 * dropped and counted in {@link #dropped()}, as a lost event never fails a session (EdgeEvents). An
 * I/O error is logged and the lines are dropped the same way.
 */
public final class ProtocolLogCsv implements EdgeEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolLogCsv.class);

  /** Lines waiting for the writer at most; about 2 MB of memory. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  static final String FIELDS =
      "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final Object STOP = new Object();

  private final EdgeEvents delegate;
  private final Path directory;
  private final Clock clock;
  private final BlockingQueue<Object> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean closed;
  private LocalDate day;
  private Writer out;

  /** Writes under {@code directory} (made when missing) on a writer thread of its own. */
  public ProtocolLogCsv(EdgeEvents delegate, Path directory) {
    this(delegate, directory, Clock.systemUTC(), DEFAULT_QUEUE_CAPACITY, task -> {
      Thread thread = new Thread(task, "protocol-log-csv");
      thread.setDaemon(true);
      thread.start();
    });
  }

  /** @param writer runs the writer loop (tests hold it back to fill the queue); clock dates the headers */
  ProtocolLogCsv(EdgeEvents delegate, Path directory, Clock clock, int queueCapacity, Executor writer) {
    if (directory == null) {
      throw new IllegalArgumentException("protocol log directory must be given");
    }
    this.delegate = delegate == null ? EdgeEvents.NONE : delegate;
    this.directory = directory;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    writer.execute(this::drain);
  }

  /** Exchange's place for receive protocol logs, under the node's data directory. */
  public static Path defaultDirectory(Path dataDir) {
    return dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpReceive");
  }

  @Override
  public void protocol(ProtocolEvent event) {
    delegate.protocol(event);
    if (closed || !queue.offer(event)) {
      dropped.incrementAndGet();
    }
  }

  @Override
  public void tracking(TrackingEvent event) {
    delegate.tracking(event);
  }

  /** Lines lost because the queue was full, the log closed, or the disk failed. */
  public long dropped() {
    return dropped.get();
  }

  /** Lines written to files so far. */
  public long written() {
    return written.get();
  }

  /** Writes what is queued, then stops the writer (waits up to 10 s). Not for event loops. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      if (!finished.await(10, TimeUnit.SECONDS)) {
        LOG.warn("protocol log writer did not finish within 10 s; {} lines may be lost", queue.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    List<Object> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch);
        boolean stop = false;
        for (Object item : batch) {
          if (item == STOP) {
            stop = true;
          } else {
            write((ProtocolEvent) item);
          }
        }
        batch.clear();
        flush();
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeFile();
      finished.countDown();
    }
  }

  private void write(ProtocolEvent event) {
    try {
      Instant at = event.getDateTime();
      LocalDate eventDay = at.atZone(ZoneOffset.UTC).toLocalDate();
      if (!eventDay.equals(day) || out == null) {
        open(eventDay);
      }
      out.write(line(event));
      written.incrementAndGet();
    } catch (IOException | UncheckedIOException e) {
      dropped.incrementAndGet();
      LOG.warn("cannot write protocol log in {}: {}", directory, e.toString());
      closeFile();
    }
  }

  private void open(LocalDate newDay) throws IOException {
    closeFile();
    Files.createDirectories(directory);
    Path file = directory.resolve(fileName(newDay));
    boolean fresh = !Files.exists(file) || Files.size(file) == 0;
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    day = newDay;
    if (fresh) {
      out.write("#Software: mailflow\r\n#Version: 15.0.0.0\r\n#Log-Type: SMTP Receive Protocol Log\r\n#Date: "
          + ISO.format(clock.instant()) + "\r\n#Fields: " + FIELDS + "\r\n");
    }
  }

  /** Exchange's name for a day's first receive protocol log file (no size rollover to -2 yet). */
  static String fileName(LocalDate day) {
    return "RECV" + DAY.format(day) + "-1.LOG";
  }

  static String line(ProtocolEvent e) {
    return ISO.format(e.getDateTime()) + "," + field(e.getConnectorId()) + "," + field(e.getSessionId()) + ","
        + e.getSequenceNumber() + "," + field(e.getLocalEndpoint()) + "," + field(e.getRemoteEndpoint()) + ","
        + field(e.getEvent()) + "," + field(e.getData()) + "," + field(e.getContext()) + "\r\n";
  }

  /** RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled; null as empty. */
  static String field(CharSequence value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\r' || c == '\n') {
        return '"' + s.replace("\"", "\"\"") + '"';
      }
    }
    return s;
  }

  private void flush() {
    if (out == null) {
      return;
    }
    try {
      out.flush();
    } catch (IOException e) {
      LOG.warn("cannot write protocol log in {}: {}", directory, e.toString());
      closeFile();
    }
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("cannot close protocol log in {}: {}", directory, e.toString());
      }
      out = null;
    }
  }
}
