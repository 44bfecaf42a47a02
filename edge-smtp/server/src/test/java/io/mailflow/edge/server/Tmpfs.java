package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Tmpfs - a small filesystem of its own for a test that fills a drive: {@code mount -t tmpfs} (root, as here and
 * on CI). Where mounting is not permitted the test is skipped saying why, unless the environment variable CI is
 * set: there it fails, so the test cannot silently stop running.
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (e.g. {@code 64m}) on a new directory. */
  static Tmpfs mount(String size) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mailflow-tmpfs-");
    String output = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    if (output != null) {
      Files.deleteIfExists(dir);
      String why = "cannot mount a tmpfs for the full-disk test (needs root or CAP_SYS_ADMIN): " + output;
      if (System.getenv("CI") != null) {
        fail(why);
      }
      Assumptions.abort(why);
    }
    return new Tmpfs(dir);
  }

  Path dir() {
    return dir;
  }

  /** Writes a file of {@code bytes} zeros (tmpfs keeps every page written). */
  Path fill(String name, long bytes) throws IOException {
    Path file = dir.resolve(name);
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      for (long left = bytes; left > 0; ) {
        chunk.clear().limit((int) Math.min(chunk.capacity(), left));
        left -= out.write(chunk);
      }
    }
    return file;
  }

  /** Bytes to write so that {@code percent} of the filesystem is in use. */
  long bytesToReach(int percent) throws IOException {
    var store = Files.getFileStore(dir);
    long total = store.getTotalSpace();
    long used = total - store.getUsableSpace();
    return Math.max(0, total * percent / 100 - used + (1 << 20)); // a megabyte over: the percentage rounds down
  }

  @Override
  public void close() throws IOException, InterruptedException {
    String output = run("umount", dir.toString());
    if (output != null && run("umount", "-l", dir.toString()) != null) {
      throw new IOException("could not unmount " + dir + ": " + output);
    }
    Files.deleteIfExists(dir);
  }

  /** Runs a command; null when it succeeded, else what it said. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return String.join(" ", command) + " did not end within 30 s";
    }
    String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + said;
  }
}
