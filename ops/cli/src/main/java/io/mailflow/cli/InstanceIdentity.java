package io.mailflow.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * InstanceIdentity - who this process is to Kafka across restarts: a random id made on first start and kept in
 * {@code <data-dir>/instance-id}, locked (an exclusive file lock) for the process's life.
 *
 * <p>Stage loops use it for static group membership ({@code group.instance.id}), so a process restarted after
 * kill -9 on the same data dir takes its partitions back as soon as it rejoins, instead of waiting for the dead
 * consumers' sessions to expire. Two live members with one id would fence each other; hence the lock: a second
 * process on the same data dir gets a fresh id of its own and joins without static membership
 * ({@link #isStatic()} false), and says so once.
 */
final class InstanceIdentity implements AutoCloseable {
  static final String FILE = "instance-id";
  /** Letters, digits, '.', '_', '-': what group.instance.id and transactional.id carry without surprise. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /**
   * Files locked by this JVM. Java refuses a second lock on a file in one JVM, and closing any other channel
   * of the file would drop the lock (POSIX record locks): a second node of this JVM never opens it.
   */
  private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

  private final String id;
  private final boolean isStatic;
  private final Path file;
  private final FileChannel channel;

  private InstanceIdentity(String id, boolean isStatic, Path file, FileChannel channel) {
    this.id = id;
    this.isStatic = isStatic;
    this.file = file;
    this.channel = channel;
  }

  /**
   * The identity kept in {@code dataDir} (made there on first start), locked until {@link #close()}; a fresh
   * non-static one if another live process (or node of this JVM) holds it.
   *
   * @throws CliFailure naming the file when the data dir cannot hold it (not a directory, not writable) or the
   *     file holds no valid id
   */
  static InstanceIdentity acquire(Path dataDir) {
    Path file = dataDir.toAbsolutePath().normalize().resolve(FILE);
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw unusable(file, e);
    }
    if (!IN_USE.add(file)) {
      return fresh(file);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        IN_USE.remove(file);
        return fresh(file);
      }
      String id = read(channel);
      if (id.isEmpty()) { // first start (or a start that died before writing it: it was never used)
        id = UUID.randomUUID().toString();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
      } else if (!VALID.matcher(id).matches()) {
        throw new CliFailure("cannot use " + file + " as this node's instance id: it holds '" + abbreviate(id)
            + "', not letters, digits, '.', '_' and '-' (at most 64); delete the file and mailflow makes a new id");
      }
      return new InstanceIdentity(id, true, file, channel);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // the original failure says more
        }
      }
      IN_USE.remove(file);
      throw e instanceof CliFailure c ? c : unusable(file, e);
    }
  }

  private static InstanceIdentity fresh(Path file) {
    return new InstanceIdentity(UUID.randomUUID().toString(), false, file, null);
  }

  private static String read(FileChannel channel) throws IOException {
    if (channel.size() > 4096) {
      return "(" + channel.size() + " bytes)";
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // read it all
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static CliFailure unusable(Path file, Exception e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliFailure("cannot keep this node's instance id in " + file + ": " + e.getClass().getSimpleName()
        + ": " + reason + " (is the data dir " + file.getParent() + " a writable directory?)", e);
  }

  /** The id: the data dir's own, or a fresh one when another process holds it ({@link #isStatic()} false). */
  String id() {
    return id;
  }

  /** Whether the id is the data dir's, kept across restarts: only then is it used for static membership. */
  boolean isStatic() {
    return isStatic;
  }

  /** Where the id is kept. */
  Path file() {
    return file;
  }

  /** Releases the lock (the file stays: the next start on this data dir is the same instance). */
  @Override
  public void close() {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close(); // releases the lock
      } catch (IOException ignored) {
        // the process is ending; the OS drops the lock anyway
      }
      IN_USE.remove(file);
    }
  }
}
