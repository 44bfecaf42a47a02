package io.mailflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * MailStoreOption - {@code --mail-store DIR}, declared once for {@code run} and {@code delivery}: where the
 * Maildir store lives, apart from the data dir, so delivery instances on one machine can share a data dir and
 * keep their own stores, or the reverse.
 */
final class MailStoreOption {
  static final String DEFAULT_SUBDIR = "mailstore";

  @Option(names = "--mail-store", paramLabel = "DIR",
      description = "Where the mail store (Maildir) lives (default <data-dir>/" + DEFAULT_SUBDIR + ")")
  Path directory;

  /**
   * The store's directory, created if missing. Call it before starting anything: a path that is a file, cannot
   * be created or is not writable is refused here with one line naming the option and the path.
   */
  Path resolve(Path dataDir) {
    if (directory == null) {
      return dataDir.resolve(DEFAULT_SUBDIR);
    }
    Path dir = directory.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new CliFailure("--mail-store " + dir + " is not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CliFailure("--mail-store " + dir + " cannot be created: " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new CliFailure("--mail-store " + dir + " is not writable");
    }
    return dir;
  }
}
