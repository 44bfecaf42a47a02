package io.mailflow.edge.server;

import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ProtocolLogCsv - protocol-log lines also as Exchange's CSV files ({@code RECV<yyyyMMdd>-<n>.LOG} in UTC
 * days, Exchange's header lines at the top of each file, RFC 4180 quoting), passing every event on to the
 * events it wraps. Only connectors with protocolLoggingLevel Verbose emit protocol events at all
 * (ProtocolLog), so every line that reaches it is written.
 *
 * <p>As Exchange's transport service does with {@link TransportService}'s settings: a new file each day and
 * whenever the current one would pass ReceiveProtocolLogMaxFileSize ({@code n} counts up; a line is never
 * split, one longer than the limit gets a file of its own); files of ours last written longer ago than
 * ReceiveProtocolLogMaxAge are deleted, and while our files together exceed ReceiveProtocolLogMaxDirectorySize
 * the oldest go first. Cleanup runs on the writer thread when a file is opened and every
 * {@link #CLEANUP_INTERVAL} of quiet; it never deletes the file being written nor a file whose name is not
 * {@code RECV<yyyyMMdd>-<n>.LOG} (other files in the directory are neither counted nor touched).
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
  /** Cleanup runs at least this often while nothing is written (age limits apply without traffic too). */
  static final Duration CLEANUP_INTERVAL = Duration.ofMinutes(1);
  private static final Pattern OURS = Pattern.compile("RECV(\\d{8})-(\\d{1,9})\\.LOG", Pattern.CASE_INSENSITIVE);

  private final EdgeEvents delegate;
  private final Path directory;
  private final Clock clock;
  private final BlockingQueue<Object> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final TransportService limits;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean closed;
  // the writer thread's state
  private LocalDate day;
  private int sequence;
  private Path current;
  private long currentSize;
  private OutputStream out;

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
    this.delegate = delegate == null ? EdgeEvents.NONE : delegate;
    this.directory = directory;
    this.limits = limits == null ? TransportService.defaults() : limits;
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

  /** Log files deleted by age or directory size so far. */
  public long deleted() {
    return deleted.get();
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
        Object first = queue.poll(CLEANUP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
          cleanUp();
          continue;
        }
        batch.add(first);
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
      byte[] bytes = line(event).getBytes(StandardCharsets.UTF_8);
      if (out == null || !eventDay.equals(day)) {
        open(eventDay);
      }
      // roll over before a line that would pass the limit, unless the file holds no line yet (a line is never split)
      if (currentSize + bytes.length > limits.receiveProtocolLogMaxFileSize() && currentSize > HEADER_SIZE) {
        openNext();
      }
      out.write(bytes);
      currentSize += bytes.length;
      written.incrementAndGet();
    } catch (IOException | UncheckedIOException e) {
      dropped.incrementAndGet();
      LOG.warn("cannot write protocol log in {}: {}", directory, e.toString());
      closeFile();
    }
  }

  /** The day's last file, appended to (a restart goes on where it stopped; a full one rolls over at once). */
  private void open(LocalDate newDay) throws IOException {
    closeFile();
    Files.createDirectories(directory);
    day = newDay;
    sequence = Math.max(1, lastSequence(newDay));
    start(directory.resolve(fileName(newDay, sequence)));
  }

  private void openNext() throws IOException {
    closeFile();
    sequence++;
    start(directory.resolve(fileName(day, sequence)));
  }

  private void start(Path file) throws IOException {
    boolean fresh = !Files.exists(file) || Files.size(file) == 0;
    out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
        64 * 1024);
    current = file;
    currentSize = fresh ? 0 : Files.size(file);
    if (fresh) {
      byte[] header = header(clock.instant()).getBytes(StandardCharsets.UTF_8);
      out.write(header);
      currentSize = header.length;
    }
    cleanUp();
  }

  /** Exchange's five header lines, dated {@code at}. */
  static String header(Instant at) {
    return "#Software: mailflow\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: "
        + ISO.format(at) + "\r\n#Fields: " + FIELDS + "\r\n";
  }

  /** Header length in bytes (the #Date value has a fixed width). */
  private static final int HEADER_SIZE = header(Instant.EPOCH).getBytes(StandardCharsets.UTF_8).length;

  /** The highest {@code n} of the day's files already in the directory, 0 if none. */
  private int lastSequence(LocalDate of) throws IOException {
    int last = 0;
    for (LogFile f : ourFiles()) {
      if (f.day().equals(of)) {
        last = Math.max(last, f.sequence());
      }
    }
    return last;
  }

  /**
   * Deletes our files older than the maximum age, then the oldest of ours while they exceed the directory
   * size; never the current file. Failures are logged and retried next time.
   */
  void cleanUp() {
    try {
      if (!Files.isDirectory(directory)) {
        return;
      }
      List<LogFile> files = ourFiles();
      files.sort(Comparator.comparing(LogFile::day).thenComparingInt(LogFile::sequence));
      Duration maxAge = limits.receiveProtocolLogMaxAge();
      Instant oldest = maxAge.isZero() ? null : clock.instant().minus(maxAge);
      long total = 0;
      List<LogFile> kept = new ArrayList<>();
      for (LogFile f : files) {
        if (f.path().equals(current)) {
          total += currentSize; // part of it may still sit in the buffer
          kept.add(f);
        } else if (oldest != null && f.modified().isBefore(oldest)) {
          delete(f, "older than " + maxAge);
        } else {
          total += f.size();
          kept.add(f);
        }
      }
      long max = limits.receiveProtocolLogMaxDirectorySize();
      for (LogFile f : kept) {
        if (total <= max) {
          break;
        }
        if (!f.path().equals(current) && delete(f, "directory over " + max + " bytes")) {
          total -= f.size();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot clean up protocol logs in {}: {}", directory, e.toString());
    }
  }

  private boolean delete(LogFile f, String why) {
    try {
      Files.deleteIfExists(f.path());
      deleted.incrementAndGet();
      LOG.debug("deleted protocol log {}: {}", f.path(), why);
      return true;
    } catch (IOException e) {
      LOG.warn("cannot delete protocol log {}: {}", f.path(), e.toString());
      return false;
    }
  }

  /** Regular files named RECV<yyyyMMdd>-<n>.LOG; anything else in the directory is not ours. */
  private List<LogFile> ourFiles() throws IOException {
    List<LogFile> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path p : entries) {
        Matcher m = OURS.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isRegularFile(p)) {
          continue;
        }
        LocalDate d;
        try {
          d = LocalDate.parse(m.group(1), DAY);
        } catch (java.time.format.DateTimeParseException e) {
          continue; // RECV99999999-1.LOG is not a name we write
        }
        try {
          files.add(new LogFile(p, d, Integer.parseInt(m.group(2)), Files.size(p),
              Files.getLastModifiedTime(p).toInstant()));
        } catch (NoSuchFileException gone) {
          // removed meanwhile: nothing to do
        }
      }
    } catch (NoSuchFileException gone) {
      return files;
    }
    return files;
  }

  private record LogFile(Path path, LocalDate day, int sequence, long size, Instant modified) {}

  /** Exchange's name for a day's {@code n}th receive protocol log file. */
  static String fileName(LocalDate day, int n) {
    return "RECV" + DAY.format(day) + "-" + n + ".LOG";
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
    current = null;
  }
}
