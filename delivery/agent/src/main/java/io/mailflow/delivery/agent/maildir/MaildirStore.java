package io.mailflow.delivery.agent.maildir;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * MaildirStore - the built-in mailbox store: one Maildir per mailbox, written so that Dovecot (or any
 * Maildir reader) can serve it unchanged, and so that a message delivered twice is stored once.
 *
 * <p>Layout under the store root: {@code <database>/<primary address, lower-case>/Maildir/{tmp,new,cur}}.
 * A delivery writes the message to {@code tmp/} under a {@link MaildirName unique name}, fsyncs it,
 * renames it into {@code new/} (atomic: readers see all of it or nothing) and fsyncs {@code new/}. The
 * file starts with {@code Return-Path:} and {@code Delivered-To:} headers and uses LF line ends, as
 * Postfix's local and virtual agents write Maildir.
 *
 * <p>De-duplication on (network message id, recipient): after the rename a marker file named after
 * the network message id is written to {@code <database>/<address>/.mailflow-delivered/}; a delivery
 * that finds the marker is absorbed. The marker directory sits beside {@code Maildir/}, not inside it,
 * because a dot-directory inside a Maildir is a folder to Dovecot's Maildir++ layout and would show up
 * in the user's mail client. A crash between the rename and the marker can still store a message
 * twice; never zero times. Markers are not yet expired (they should live as long as the Safety Net).
 *
 * <p>All file I/O runs on Vert.x worker threads, never on an event loop.
 */
public final class MaildirStore {

  /** The marker directory's name, beside each mailbox's {@code Maildir/}. */
  public static final String DELIVERED_MARKERS = ".mailflow-delivered";

  /** Deliveries to one mailbox for one message are serialised through one of these locks. */
  private static final int LOCK_STRIPES = 64;

  private final Vertx vertx;
  private final Path root;
  private final MaildirName names;
  private final Clock clock;
  private final Object[] locks = new Object[LOCK_STRIPES];

  /** What became of a delivery. */
  public sealed interface Result {
    /** The file the message is in (or, for a duplicate, the marker that absorbed it). */
    Path path();

    /** Stored as {@code file} in the mailbox's {@code new/}. */
    record Stored(Path path) implements Result {}

    /** Already delivered to this mailbox earlier (as the file the marker names); nothing written. */
    record Duplicate(Path path, String firstDeliveredAs) implements Result {}
  }

  private MaildirStore(Vertx vertx, Path root, String hostName, Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
    this.names = new MaildirName(hostName);
    this.clock = clock;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * A store under {@code root} (the data dir's {@code mailstore/}).
   *
   * @param hostName goes into file names; this server's name (no DNS lookup is made)
   */
  public static MaildirStore create(Vertx vertx, Path root, String hostName) {
    return new MaildirStore(vertx, root, hostName, Clock.systemUTC());
  }

  public Path root() {
    return root;
  }

  /** The Maildir of mailbox {@code address} in {@code database}; refuses names that would leave the root. */
  public Path maildir(String database, String address) {
    return mailboxDir(database, address).resolve("Maildir");
  }

  /** Delivers on a worker thread; fails with an {@link IOException} naming the path when the disk says no. */
  public Future<Result> deliver(MailboxDelivery delivery) {
    // Validate on the caller's thread so bad input fails fast with its own message.
    Path mailbox;
    try {
      mailbox = mailboxDir(delivery.database(), delivery.recipient());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> deliverNow(mailbox, delivery), false);
  }

  /** The same, blocking the calling thread: for worker threads and tests only. */
  Result deliverNow(MailboxDelivery delivery) throws IOException {
    return deliverNow(mailboxDir(delivery.database(), delivery.recipient()), delivery);
  }

  private Result deliverNow(Path mailbox, MailboxDelivery delivery) throws IOException {
    Path markers = mailbox.resolve(DELIVERED_MARKERS);
    Path marker = markers.resolve(markerName(delivery.networkMessageId()));
    synchronized (locks[Math.floorMod(marker.hashCode(), LOCK_STRIPES)]) {
      if (Files.exists(marker)) {
        return new Result.Duplicate(marker, Files.readString(marker, StandardCharsets.UTF_8));
      }
      Path maildir = mailbox.resolve("Maildir");
      Path tmp = maildir.resolve("tmp");
      Path fresh = maildir.resolve("new");
      Files.createDirectories(tmp);
      Files.createDirectories(fresh);
      Files.createDirectories(maildir.resolve("cur"));
      Files.createDirectories(markers);

      byte[] content = withDeliveryHeaders(delivery);
      String name = writeToTmp(tmp, content);
      Path stored = fresh.resolve(name);
      Files.move(tmp.resolve(name), stored, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(fresh);

      Files.writeString(marker, name, StandardCharsets.UTF_8);
      fsyncDirectory(markers);
      return new Result.Stored(stored);
    }
  }

  /** Writes and fsyncs {@code tmp/<unique name>}; a name already taken (never expected) is skipped. */
  private String writeToTmp(Path tmp, byte[] content) throws IOException {
    for (int attempt = 0; ; attempt++) {
      String name = names.next(clock.instant(), content.length);
      try (FileChannel out = FileChannel.open(tmp.resolve(name), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
        return name;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 2) {
          throw new IOException("cannot find a free Maildir file name in " + tmp + " (last tried " + name + ")", e);
        }
      }
    }
  }

  /** Return-Path and Delivered-To on top, line ends made LF. */
  static byte[] withDeliveryHeaders(MailboxDelivery delivery) {
    byte[] message = delivery.message();
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 128);
    out.writeBytes(("Return-Path: <" + delivery.sender() + ">\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(("Delivered-To: " + delivery.recipient().toLowerCase(Locale.ROOT) + "\n")
        .getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') {
        continue; // CRLF -> LF
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  private Path mailboxDir(String database, String address) {
    segment("mailbox database name", database);
    String folder = address.toLowerCase(Locale.ROOT);
    segment("mailbox address", folder);
    if (folder.indexOf('@') <= 0) {
      throw new IllegalArgumentException("mailbox address '" + address + "' is not an SMTP address (no local@domain)");
    }
    return root.resolve(database).resolve(folder);
  }

  /** A name that must be one plain directory name under the root. */
  private static void segment(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    if (value.startsWith(".")) {
      throw new IllegalArgumentException(what + " '" + value + "' must not start with '.'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || c == '\\' || c < ' ' || c == 127) {
        throw new IllegalArgumentException(what + " '" + value.replaceAll("\\p{Cntrl}", "?")
            + "' contains '/', '\\' or a control character at index " + i);
      }
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException(what + " is longer than a file name may be (255 octets): " + value);
    }
  }

  /** The marker's file name: the network message id, escaped to a safe name; hashed if very long. */
  static String markerName(String networkMessageId) {
    StringBuilder sb = new StringBuilder();
    for (byte b : networkMessageId.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || (c == '.' && sb.length() > 0)) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", (int) c));
      }
    }
    if (sb.length() <= 200) {
      return sb.toString();
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(networkMessageId.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }

  // A rename is durable only once its directory is on disk (Linux: fsync the directory).
  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
