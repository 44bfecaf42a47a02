package io.mailflow.logs;

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
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ExchangeLogWriter - writes lines of one or more {@link LogFormat}s into files of one directory, as Exchange's
 * transport logs are written: a new file each period (UTC day or hour, the name carries it) and whenever the current
 * one would pass the maximum file size ({@code n} counts up; a line is never split, one longer than the limit gets a
 * file of its own); a restart appends to the period's last file. Files of a prefix last written longer ago than the
 * maximum age are deleted, and while a prefix's files together exceed the maximum directory size its oldest go first.
 * Cleanup runs when a file is opened and every {@link #CLEANUP_INTERVAL} of quiet; it never deletes the file being
 * written nor a file whose name is not one of ours (other files in the directory are neither counted nor touched).
 *
 * <p>{@link #write} never blocks: lines go into a bounded queue that one writer thread drains. When the queue is full
 * (the disk is slower than the traffic) the line is dropped and counted in {@link #dropped()}; a log line lost never
 * holds up mail. An I/O error is logged and its lines are dropped the same way. Values are quoted per RFC 4180 by
 * Apache Commons CSV; null is an empty field.
 */
public final class ExchangeLogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeLogWriter.class);

  /** Lines waiting for the writer at most; about 2-5 MB of memory. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** Cleanup runs at least this often while nothing is written (age limits apply without traffic too). */
  public static final Duration CLEANUP_INTERVAL = Duration.ofMinutes(1);
  /** RFC 4180 as Exchange writes it: CRLF after each line, quotes only where a value needs them. */
  private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator("\r\n")
      .setQuoteMode(QuoteMode.MINIMAL).get();
  private static final Object STOP = new Object();

  private final Path directory;
  private final LogLimits limits;
  private final Clock clock;
  private final BlockingQueue<Object> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Map<LogFormat, Current> files = new HashMap<>();
  private final List<LogFormat> formats;
  /** The writer thread's line buffer, reused. */
  private final StringBuilder text = new StringBuilder(1024);
  private volatile boolean closed;

  private record Line(LogFormat format, Instant at, Object[] values) {}

  /** The writer thread's state for one format: the file being written. */
  private static final class Current {
    LocalDateTime period;
    int sequence;
    Path path;
    long size;
    OutputStream out;
  }

  /**
   * Writes {@code formats} under {@code directory} (made when missing) on a daemon thread named {@code name}.
   */
  public static ExchangeLogWriter start(String name, Path directory, List<LogFormat> formats, LogLimits limits) {
    return new ExchangeLogWriter(directory, formats, limits, Clock.systemUTC(), DEFAULT_QUEUE_CAPACITY, task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      thread.start();
    });
  }

  /**
   * @param clock dates the headers and decides which files are older than the maximum age
   * @param writer runs the writer loop (tests hold it back to fill the queue, or block it as a slow disk would)
   */
  public ExchangeLogWriter(Path directory, List<LogFormat> formats, LogLimits limits, Clock clock, int queueCapacity,
      Executor writer) {
    if (directory == null) {
      throw new IllegalArgumentException("log directory must be given");
    }
    if (formats == null || formats.isEmpty() || limits == null) {
      throw new IllegalArgumentException("a log writer needs formats and limits");
    }
    this.directory = directory;
    this.formats = List.copyOf(formats);
    this.limits = limits;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    for (LogFormat f : this.formats) {
      files.put(f, new Current());
    }
    writer.execute(this::drain);
  }

  /** The directory written to. */
  public Path directory() {
    return directory;
  }

  /**
   * Queues one line of {@code format} dated {@code at} (it decides the file's period); false when it was dropped
   * (queue full, writer closed). Never blocks. {@code values} are in the order of the format's fields.
   */
  public boolean write(LogFormat format, Instant at, Object... values) {
    if (!files.containsKey(format)) {
      throw new IllegalArgumentException("this writer does not write " + format.prefix() + " files");
    }
    if (values.length != format.fields().size()) {
      throw new IllegalArgumentException(format.prefix() + ": " + format.fields().size() + " values per line, got "
          + values.length);
    }
    if (closed || !queue.offer(new Line(format, at, values))) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  /** One line as written: the values quoted per RFC 4180, CRLF at the end. */
  public static String line(Object... values) {
    StringBuilder out = new StringBuilder(256);
    append(out, values);
    return out.toString();
  }

  private static void append(StringBuilder out, Object[] values) {
    try {
      CSV.printRecord(out, values); // the record separator (CRLF) included
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder does not fail
    }
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
        LOG.warn("log writer for {} did not finish within 10 s; {} lines may be lost", directory, queue.size());
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
          formats.forEach(this::cleanUp);
          continue;
        }
        batch.add(first);
        queue.drainTo(batch);
        boolean stop = false;
        for (Object item : batch) {
          if (item == STOP) {
            stop = true;
          } else {
            write((Line) item);
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
      formats.forEach(f -> closeFile(files.get(f)));
      finished.countDown();
    }
  }

  private void write(Line line) {
    LogFormat format = line.format();
    Current c = files.get(format);
    try {
      text.setLength(0);
      append(text, line.values());
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      LocalDateTime period = format.rollover().periodOf(line.at());
      // a line dated a little before the current period (another thread's event) stays in the current file
      if (c.out == null) {
        open(format, c, c.period != null && c.period.isAfter(period) ? c.period : period);
      } else if (period.isAfter(c.period)) {
        open(format, c, period);
      }
      // roll over before a line that would pass the limit, unless the file holds no line yet (a line is never split)
      if (c.size + bytes.length > limits.maxFileSize() && c.size > headerSize(format)) {
        closeFile(c);
        c.sequence++;
        start(format, c, directory.resolve(format.fileName(c.period, c.sequence)));
      }
      c.out.write(bytes);
      c.size += bytes.length;
      written.incrementAndGet();
    } catch (IOException | UncheckedIOException e) {
      dropped.incrementAndGet();
      LOG.warn("cannot write {} log in {}: {}", format.prefix(), directory, e.toString());
      closeFile(c);
    }
  }

  /** The period's last file, appended to (a restart goes on where it stopped; a full one rolls over at once). */
  private void open(LogFormat format, Current c, LocalDateTime period) throws IOException {
    closeFile(c);
    Files.createDirectories(directory);
    c.period = period;
    int last = 0;
    for (LogFile f : ourFiles(format)) {
      if (f.period().equals(period)) {
        last = Math.max(last, f.sequence());
      }
    }
    c.sequence = Math.max(1, last);
    start(format, c, directory.resolve(format.fileName(period, c.sequence)));
  }

  private void start(LogFormat format, Current c, Path file) throws IOException {
    boolean fresh = !Files.exists(file) || Files.size(file) == 0;
    c.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
        64 * 1024);
    c.path = file;
    c.size = fresh ? 0 : Files.size(file);
    if (fresh) {
      byte[] header = format.header(clock.instant()).getBytes(StandardCharsets.UTF_8);
      c.out.write(header);
      c.size = header.length;
    }
    cleanUp(format);
  }

  /** Header length in bytes (the #Date value has a fixed width). */
  private static long headerSize(LogFormat format) {
    return format.header(Instant.EPOCH).getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Deletes {@code format}'s files older than the maximum age, then its oldest while they exceed the directory size;
   * never the current file. Failures are logged and retried next time.
   */
  private void cleanUp(LogFormat format) {
    Current c = files.get(format);
    try {
      if (!Files.isDirectory(directory)) {
        return;
      }
      List<LogFile> ours = ourFiles(format);
      ours.sort(Comparator.comparing(LogFile::period).thenComparingInt(LogFile::sequence));
      Duration maxAge = limits.maxAge();
      Instant oldest = maxAge.isZero() ? null : clock.instant().minus(maxAge);
      long total = 0;
      List<LogFile> kept = new ArrayList<>();
      for (LogFile f : ours) {
        if (f.path().equals(c.path)) {
          total += c.size; // part of it may still sit in the buffer
          kept.add(f);
        } else if (oldest != null && f.modified().isBefore(oldest)) {
          delete(f, "older than " + maxAge);
        } else {
          total += f.size();
          kept.add(f);
        }
      }
      long max = limits.maxDirectorySize();
      for (LogFile f : kept) {
        if (total <= max) {
          break;
        }
        if (!f.path().equals(c.path) && delete(f, "directory over " + max + " bytes")) {
          total -= f.size();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot clean up {} logs in {}: {}", format.prefix(), directory, e.toString());
    }
  }

  private boolean delete(LogFile f, String why) {
    try {
      Files.deleteIfExists(f.path());
      deleted.incrementAndGet();
      LOG.debug("deleted log {}: {}", f.path(), why);
      return true;
    } catch (IOException e) {
      LOG.warn("cannot delete log {}: {}", f.path(), e.toString());
      return false;
    }
  }

  /** Regular files named as {@code format} names them; anything else in the directory is not ours. */
  private List<LogFile> ourFiles(LogFormat format) throws IOException {
    List<LogFile> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path p : entries) {
        LogFormat.Name name = format.parse(p.getFileName().toString());
        if (name == null || !Files.isRegularFile(p)) {
          continue;
        }
        try {
          found.add(new LogFile(p, name.period(), name.sequence(), Files.size(p),
              Files.getLastModifiedTime(p).toInstant()));
        } catch (NoSuchFileException gone) {
          // removed meanwhile: nothing to do
        }
      }
    } catch (NoSuchFileException gone) {
      return found;
    }
    return found;
  }

  private record LogFile(Path path, LocalDateTime period, int sequence, long size, Instant modified) {}

  private void flush() {
    for (LogFormat f : formats) {
      Current c = files.get(f);
      if (c.out == null) {
        continue;
      }
      try {
        c.out.flush();
      } catch (IOException e) {
        LOG.warn("cannot write {} log in {}: {}", f.prefix(), directory, e.toString());
        closeFile(c);
      }
    }
  }

  private void closeFile(Current c) {
    if (c.out != null) {
      try {
        c.out.close();
      } catch (IOException e) {
        LOG.warn("cannot close log {}: {}", c.path, e.toString());
      }
      c.out = null;
    }
    c.path = null;
  }
}
