package io.mailflow.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * OwnerOnlyFiles - writes secrets (private keys, demo passwords) so that only the file's owner can
 * read them (mode 0600 where the file system has POSIX permissions), and whole: written beside the
 * target, then moved over it, so a crash never leaves half a key.
 */
final class OwnerOnlyFiles {
  private OwnerOnlyFiles() {}

  static void write(Path target, byte[] content, boolean secret) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    if (secret && posix(dir)) {
      // created with the mode already set: never readable by others, not even for a moment
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      try {
        Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        // deleted above; another process raced us: overwrite
      }
    }
    Files.write(temp, content);
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static boolean posix(Path dir) throws IOException {
    return Files.getFileStore(dir).supportsFileAttributeView("posix");
  }
}
