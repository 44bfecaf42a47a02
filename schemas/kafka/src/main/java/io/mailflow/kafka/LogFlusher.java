package io.mailflow.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LogFlusher - group commit for a broker in this process: flushes partitions' log files to disk (fdatasync) for
 * everyone who asked while the previous flush ran, in one go.
 *
 * <p>Why not Kafka's own {@code flush.messages=1}: it flushes after every append, each time the segment and its three
 * index files (four device flushes), for every partition of every topic, ~21 per message. Here a flush covers every
 * request that queued meanwhile, only the {@code .log} file (Kafka rebuilds indexes from the log after an unclean
 * stop), and only the partitions asked for (tracking and protocol events are not: losing the last of them loses no
 * mail). Under load the group grows by itself: the longer a flush takes, the more sessions share the next one.
 *
 * <p>What is flushed: the partition's newest segment ({@code <log dir>/<topic>-<partition>/<base offset>.log},
 * the one appends go to); after a roll, the previous newest segment too and the directory, so neither the old
 * segment's tail nor the new file's name is lost. Files are opened for reading only: the broker keeps writing them.
 * A flush that fails (disk error) fails the requests naming the file; the caller then answers 4xx, never 250.
 */
public final class LogFlusher implements DurableLog, MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogFlusher.class);

  private final Path logDir;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;
  /** Flusher thread only: per partition directory, the segment we last flushed and its open channel. */
  private final Map<Path, Segment> newest = new HashMap<>();
  private final LongAdder rounds = new LongAdder();
  private final LongAdder files = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder flushNanos = new LongAdder();
  /** Per segment file, the bytes known to be on disk: its size just before its last flush. */
  private final Map<Path, Long> flushedSizes = new java.util.concurrent.ConcurrentHashMap<>();

  /** How long the queue stays empty after a round with the transaction log before the trailing round. */
  private static final long TRAILING_ROUND_MILLIS = 20;
  /** Flusher thread only: the partitions transactions write (named in a request beside the transaction log). */
  private final Set<Path> transactionalPartitions = new LinkedHashSet<>();
  /** Flusher thread only: the transaction log's partition directories, once the broker has made them. */
  private List<Path> transactionLogDirs = List.of();
  /** Flusher thread only: a round with the transaction log ran, and no round has run since. */
  private boolean trailingRoundDue;

  private record Request(Collection<TopicPartition> partitions, CompletableFuture<Void> done) {}

  /** Put on the queue by close(): wakes the thread's wait at once; flushes nothing. */
  private static final Request WAKE = new Request(List.of(), CompletableFuture.completedFuture(null));

  private record Segment(Path file, FileChannel channel) {}

  /** A flusher for the broker whose {@code log.dirs} is {@code logDir}. */
  public LogFlusher(Path logDir) {
    this.logDir = logDir;
    this.thread = new Thread(this::run, "log-flusher");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Its meters: flushes, files flushed, syncs asked for (syncs / flushes = the group size), time flushing. */
  @Override
  public void bindTo(MeterRegistry meters) {
    FunctionCounter.builder("mailflow.durability.flushes", rounds, LongAdder::doubleValue)
        .description("Group flushes of the embedded broker's logs: each covers every sync asked for while the "
            + "previous one ran").register(meters);
    FunctionCounter.builder("mailflow.durability.files.flushed", files, LongAdder::doubleValue)
        .description("Log files flushed to disk (fdatasync)").register(meters);
    FunctionCounter.builder("mailflow.durability.syncs", requests, LongAdder::doubleValue)
        .description("Syncs asked for: a committed group of submissions, a stage's output record").register(meters);
    FunctionCounter.builder("mailflow.durability.flush.seconds", flushNanos, n -> n.doubleValue() / 1e9)
        .description("Time spent flushing").register(meters);
  }

  /** Group flushes so far. */
  public long groupFlushes() {
    return rounds.sum();
  }

  /** Syncs asked for so far. */
  public long syncs() {
    return requests.sum();
  }

  @Override
  public CompletableFuture<Void> sync(Collection<TopicPartition> partitions) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("the log flusher of " + logDir + " is closed"));
      return done;
    }
    queue.add(new Request(List.copyOf(partitions), done));
    return done;
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Request first = queue.poll(trailingRoundDue ? TRAILING_ROUND_MILLIS : 1000, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (trailingRoundDue) {
            trailingRound();
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch);
        batch.removeIf(r -> r == WAKE);
        if (!batch.isEmpty()) {
          flush(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        LOG.error("log flusher of {}: {}", logDir, e.toString(), e);
        batch.forEach(r -> r.done.completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
    if (trailingRoundDue) {
      trailingRound();
    }
    queue.forEach(r -> r.done.completeExceptionally(new IllegalStateException("the log flusher of " + logDir
        + " stopped")));
    newest.values().forEach(s -> closeQuietly(s.channel));
  }

  private void flush(List<Request> batch) {
    long started = System.nanoTime();
    // The transaction log before the data: when the commit record on disk says a transaction is complete, its
    // markers were appended to the data partitions before it, and the data flush that follows takes them along.
    // The other order could leave a commit record saying "complete" over data whose marker was lost: a
    // transaction nobody would ever close, and a partition read_committed readers could not read past.
    // That holds only if every partition a transaction wrote is flushed after the transaction log each time the
    // log is: a partition flushed in an earlier round only would miss the markers of commits the log's later
    // flush calls complete. So each round with the transaction log takes every transactional partition that grew.
    Set<Path> dirs = new LinkedHashSet<>();
    boolean transactional = false;
    for (Request r : batch) {
      for (TopicPartition p : r.partitions) {
        if (p.topic().equals(TRANSACTION_LOG)) {
          transactional = true;
        }
      }
    }
    for (Request r : batch) {
      for (TopicPartition p : r.partitions) {
        if (transactional && !p.topic().equals(TRANSACTION_LOG)) {
          transactionalPartitions.addAll(directories(p));
        }
        dirs.addAll(directories(p));
      }
    }
    IOException failure = transactional ? flushTransactional(dirs) : flushAll(dirs, false);
    rounds.increment();
    requests.add(batch.size());
    flushNanos.add(System.nanoTime() - started);
    for (Request r : batch) {
      if (failure == null) {
        r.done.complete(null);
      } else {
        r.done.completeExceptionally(new UncheckedIOException("cannot flush Kafka's log to disk: " + failure
            .getMessage(), failure));
      }
    }
  }

  /**
   * One round with the transaction log: the log, then every transactional partition that grew since its last
   * flush, then {@code more}. Arms the trailing round: a commit's markers and its completion are written after the
   * commit returned, often after the round its client waited for; one more round once requests stop brings them
   * to disk soon instead of whenever the kernel writes them back (possibly the completion before a marker).
   */
  private IOException flushTransactional(Set<Path> more) {
    Set<Path> dirs = new LinkedHashSet<>(transactionLog());
    dirs.addAll(transactionalPartitions);
    dirs.addAll(more);
    trailingRoundDue = true;
    return flushAll(dirs, true);
  }

  /** The transaction log's partition directories (the broker makes all of them at once, so listed once found). */
  private List<Path> transactionLog() {
    if (transactionLogDirs.isEmpty()) {
      transactionLogDirs = directories(new TopicPartition(TRANSACTION_LOG, EVERY_PARTITION));
    }
    return transactionLogDirs;
  }

  /** The round after the last one with the transaction log; a failure here fails no request (the next asks again). */
  private void trailingRound() {
    trailingRoundDue = false;
    Set<Path> dirs = new LinkedHashSet<>(transactionLog());
    dirs.addAll(transactionalPartitions);
    flushAll(dirs, true);
  }

  private IOException flushAll(Set<Path> dirs, boolean skipUnchanged) {
    IOException failure = null;
    for (Path dir : dirs) {
      try {
        flushPartition(dir, skipUnchanged);
      } catch (IOException e) {
        failure = e;
        LOG.error("cannot flush {} to disk: {}", dir, e.toString());
        Segment stale = newest.remove(dir);
        if (stale != null) {
          closeQuietly(stale.channel);
        }
      }
    }
    return failure;
  }

  /** The partition directories a request names: one, or every partition of the topic for EVERY_PARTITION. */
  private List<Path> directories(TopicPartition p) {
    if (p.partition() != EVERY_PARTITION) {
      return List.of(logDir.resolve(p.topic() + "-" + p.partition()));
    }
    List<Path> all = new ArrayList<>();
    String prefix = p.topic() + "-";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(logDir, prefix + "*")) {
      for (Path e : entries) {
        String rest = e.getFileName().toString().substring(prefix.length());
        if (!rest.isEmpty() && rest.chars().allMatch(Character::isDigit)) {
          all.add(e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + logDir + ": " + e.getMessage(), e);
    }
    return all;
  }

  private void flushPartition(Path dir, boolean skipUnchanged) throws IOException {
    Path file = newestSegment(dir);
    if (file == null) {
      throw new NoSuchFileException(dir.toString(), null, "no log segment in the partition directory");
    }
    Segment known = newest.get(dir);
    if (known != null && !known.file.equals(file)) {
      // rolled since: the old segment's last appends and the new file's directory entry must reach the disk too
      long size = known.channel.size();
      known.channel.force(false);
      flushedSizes.put(known.file, size);
      files.increment();
      closeQuietly(known.channel);
      fsyncDirectory(dir);
      known = null;
    }
    if (known == null) {
      known = new Segment(file, FileChannel.open(file, StandardOpenOption.READ));
      newest.put(dir, known);
    }
    long size = known.channel.size();
    if (skipUnchanged && size == flushedSizes.getOrDefault(known.file, -1L)) {
      return; // nothing appended since its last flush
    }
    known.channel.force(false);
    flushedSizes.put(known.file, size);
    files.increment();
  }

  /**
   * Per segment file flushed so far, how many of its bytes are known to be on disk: what a power cut would leave
   * of it at least. For the check that pulls the plug (a test truncates the files to these sizes and restarts).
   */
  public Map<Path, Long> flushedSizes() {
    return Map.copyOf(flushedSizes);
  }

  /** The segment appends go to: the .log file with the highest base offset (its name). */
  private static Path newestSegment(Path dir) throws IOException {
    Path best = null;
    long bestOffset = -1;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.log")) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        try {
          long offset = Long.parseLong(name.substring(0, name.length() - 4));
          if (offset > bestOffset) {
            bestOffset = offset;
            best = e;
          }
        } catch (NumberFormatException notASegment) {
          // another file ending in .log: not Kafka's
        }
      }
    }
    return best;
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a flushed segment: {}", e.toString());
    }
  }

  /** Flushes what was asked before this call, then stops. */
  @Override
  public void close() {
    closed = true;
    queue.add(WAKE); // else the thread sees the flag only when its one-second wait ends
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
