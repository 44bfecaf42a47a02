package io.mailflow.delivery.agent.maildir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * MaildirFile - one message being written into a Maildir's {@code tmp/}: pieces are appended with their
 * line ends made LF, and {@link #finish()} fsyncs and closes it and gives the name it goes into
 * {@code new/} under (with {@code ,S=} the size written). Blocking: worker threads only, one at a time.
 */
final class MaildirFile {

  private final Path path;
  private final String unsizedName;
  private final FileChannel out;
  private final LfLineEnds lf = new LfLineEnds();
  private long size;

  private MaildirFile(Path path, String unsizedName, FileChannel out) {
    this.path = path;
    this.unsizedName = unsizedName;
    this.out = out;
  }

  /** A new file in {@code tmp}; a name already taken (never expected) is skipped. */
  static MaildirFile create(Path tmp, Supplier<String> unsizedNames) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String name = unsizedNames.get();
      try {
        Path path = tmp.resolve(name);
        return new MaildirFile(path, name, FileChannel.open(path, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE));
      } catch (FileAlreadyExistsException e) {
        if (attempt == 2) {
          throw new IOException("cannot find a free Maildir file name in " + tmp + " (last tried " + name + ")", e);
        }
      }
    }
  }

  Path path() {
    return path;
  }

  /** Appends {@code bytes} as they are (our own header lines, already LF). */
  void writeRaw(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
    size += bytes.length;
  }

  /** Appends the next piece of the message, CRLF made LF. */
  void write(byte[] piece) throws IOException {
    writeRaw(lf.convert(piece));
  }

  /** Writes what is held back, fsyncs and closes; the name for {@code new/}. */
  String finish() throws IOException {
    writeRaw(lf.finish());
    out.force(true);
    out.close();
    return MaildirName.withSize(unsizedName, size);
  }

  /** Closes and deletes the file: nothing half-written stays behind. */
  void abort() {
    try {
      out.close();
    } catch (IOException ignored) {
      // deleting is what matters
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // tmp/ is for half-written files; a Maildir reader never looks there
    }
  }
}
