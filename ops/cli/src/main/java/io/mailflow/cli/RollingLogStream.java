package io.mailflow.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * RollingLogStream - appends to one log file and rolls it when it passes a size: {@code mailflow.log} becomes
 * {@code mailflow.log.1}, {@code .1} becomes {@code .2} ..., and the oldest beyond {@code keep} is deleted.
 *
 * <p>slf4j-simple, our logging backend, can only open its file anew (truncating it) and never rolls it; this is
 * the small part of logback's RollingFileAppender we need, without changing the backend of every module. A file
 * rolls only after a write that ended a line (a writer may hand over a line's text and its line break in two
 * writes), so a line is never split across files.
 */
final class RollingLogStream extends OutputStream {
  /** 10 MB: at INFO a busy node writes a few MB a day, so one file holds days and a crash's run is in it. */
  static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
  /** Five rolled files: with the live one, at most 60 MB beside the mail and Kafka's logs. */
  static final int DEFAULT_KEEP = 5;

  private final Path file;
  private final long maxBytes;
  private final int keep;
  private OutputStream current;
  private long size;
  private boolean atLineStart;

  private RollingLogStream(Path file, long maxBytes, int keep) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
    open();
  }

  /** Opens {@code file} for appending (created if missing), rolling past {@code maxBytes}, keeping {@code keep}. */
  static RollingLogStream open(Path file, long maxBytes, int keep) throws IOException {
    if (maxBytes < 1 || keep < 1) {
      throw new IllegalArgumentException("maxBytes and keep must be positive: " + maxBytes + ", " + keep);
    }
    return new RollingLogStream(file, maxBytes, keep);
  }

  private void open() throws IOException {
    current = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    size = Files.size(file);
    atLineStart = true; // a line a crash left unfinished is not continued by the next run's first write
  }

  /** rollIfFull - starts a new file when this write would take a non-empty file past the limit at a line's start. */
  private void rollIfFull(int incoming) throws IOException {
    if (size == 0 || !atLineStart || size + incoming <= maxBytes) {
      return;
    }
    current.close();
    Files.deleteIfExists(rolled(keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rolled(i))) {
        Files.move(rolled(i), rolled(i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file, rolled(1), StandardCopyOption.REPLACE_EXISTING);
    open();
  }

  private Path rolled(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  @Override
  public synchronized void write(int b) throws IOException {
    rollIfFull(1);
    current.write(b);
    size++;
    atLineStart = b == '\n';
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    rollIfFull(len);
    current.write(b, off, len);
    size += len;
    if (len > 0) {
      atLineStart = b[off + len - 1] == '\n';
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    current.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    current.close();
  }
}
