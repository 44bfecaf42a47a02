package io.mailflow.delivery.agent.maildir;

import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.delivery.agent.body.ContentStream;
import io.mailflow.delivery.agent.store.DeliveredMarkers;
import io.mailflow.delivery.agent.store.MailboxCopy;
import io.mailflow.delivery.agent.store.MailboxStore;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Exactly once in the mailbox, crash or not: de-duplication on (network message id, recipient) uses a
 * marker file named after the network message id in {@code <database>/<address>/.mailflow-delivered/},
 * and the marker is on disk before the message is in {@code new/}. The steps, each a {@link CrashPoint}:
 * the file is written to {@code tmp/} and fsynced; the marker is written as {@code pending <name>}
 * (fsynced with its directory); the file is renamed into {@code new/} as {@code <name>} (the one commit
 * point) and {@code new/} fsynced; the marker is rewritten as {@code <name>}; only then is the delivery
 * reported done. A repeat that finds a plain marker is absorbed. A repeat that finds a pending one
 * (a crash came between the marker and the end) looks for {@code <name>} in {@code new/} and
 * {@code cur/} (where a reader may have added {@code ,W=} or {@code :2,<flags>}): found, it is absorbed
 * and the marker completed; not found, the rename never happened, so the half-delivery's tmp file is
 * removed and the message written afresh. Markers outlive the files, so a message the user has deleted
 * is not delivered again by a replay. The marker directory sits beside {@code Maildir/}, not inside it,
 * because a dot-directory inside a Maildir is a folder to Dovecot's Maildir++ layout and would show up
 * in the user's mail client. Markers are not yet expired (they should live as long as the Safety Net).
 *
 * <p>Files in a Maildir's {@code tmp/} (and unfinished marker files) older than 36 hours, the Maildir
 * convention, are orphans of a crash: they are removed the first time this store delivers to that
 * mailbox, and their number logged.
 *
 * <p>As a {@link MailboxStore}, a copy becomes one file per recipient, each recipient with its own
 * outcome: delivered (or a duplicate absorbed), or transient when the store cannot take it (disk full,
 * permissions, a root that is absent or not writable, an address that is no file name). It has no
 * directory of users, so it never refuses a recipient for good.
 *
 * <p>All file I/O runs on Vert.x worker threads, never on an event loop. A message is written piece by
 * piece as its {@link io.mailflow.delivery.agent.body.MessageSource} hands them out, so a claim-checked
 * body is never held whole in memory.
 */
public final class MaildirStore implements MailboxStore {

  /** The marker directory's name, beside each mailbox's {@code Maildir/}. */
  public static final String DELIVERED_MARKERS = ".mailflow-delivered";

  /** A file in {@code tmp/} this old is an orphan of a crash (the Maildir convention's 36 hours). */
  static final Duration ORPHAN_AGE = Duration.ofHours(36);

  private static final Logger log = LoggerFactory.getLogger(MaildirStore.class);
  private static final String PENDING = "pending ";
  private static final String MARKER_TEMP_PREFIX = ".tmp-";

  /** The steps of a delivery, in order; a crash after any of them leaves the mailbox with one copy or none. */
  enum CrashPoint {
    /** The file is begun in tmp/ (delivery headers written). */
    TMP_BEGUN,
    /** The whole file is in tmp/ and fsynced. */
    FILE_SYNCED,
    /** The marker says {@code pending <name>}, fsynced with its directory. */
    MARKED_PENDING,
    /** The file is in new/ (the commit point), new/ not yet fsynced. */
    RENAMED,
    /** new/ is fsynced. */
    NEW_SYNCED,
    /** The marker says {@code <name>}; next the delivery is reported done. */
    MARKED_DELIVERED
  }

  /** Called by the store after each {@link CrashPoint}; tests throw from it to crash there. */
  @FunctionalInterface
  interface CrashPoints {
    CrashPoints NONE = point -> { };

    void reached(CrashPoint point);
  }

  private final Vertx vertx;
  private final Path root;
  private final MaildirName names;
  private final Clock clock;
  private final CrashPoints crashPoints;
  private final Map<Path, Future<Result>> inProgress = new HashMap<>();
  private final Set<Path> tidied = ConcurrentHashMap.newKeySet();

  /** What became of a delivery. */
  public sealed interface Result {
    /** The file the message is in (or, for a duplicate, the marker that absorbed it). */
    Path path();

    /** Stored as {@code file} in the mailbox's {@code new/}. */
    record Stored(Path path) implements Result {}

    /** Already delivered to this mailbox earlier (as the file the marker names); nothing written. */
    record Duplicate(Path path, String firstDeliveredAs) implements Result {}
  }

  private MaildirStore(Vertx vertx, Path root, String hostName, Clock clock, CrashPoints crashPoints) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
    this.names = new MaildirName(hostName);
    this.clock = clock;
    this.crashPoints = Objects.requireNonNull(crashPoints, "crashPoints");
  }

  /**
   * A store under {@code root} (the data dir's {@code mailstore/}).
   *
   * @param hostName goes into file names; this server's name (no DNS lookup is made)
   */
  public static MaildirStore create(Vertx vertx, Path root, String hostName) {
    return new MaildirStore(vertx, root, hostName, Clock.systemUTC(), CrashPoints.NONE);
  }

  /** A store that calls {@code crashPoints} after each step of a delivery (tests only). */
  static MaildirStore create(Vertx vertx, Path root, String hostName, CrashPoints crashPoints) {
    return new MaildirStore(vertx, root, hostName, Clock.systemUTC(), crashPoints);
  }

  public Path root() {
    return root;
  }

  /** The Maildir of mailbox {@code address} in {@code database}; refuses names that would leave the root. */
  public Path maildir(String database, String address) {
    return mailboxDir(database, address).resolve("Maildir");
  }

  /**
   * Delivers: the file is written on worker threads as the message's pieces arrive (a claim-checked body
   * chunk by chunk, never whole in memory), fsynced, and renamed into {@code new/} only after the last
   * piece (and, for a referenced body, its digest) checked out. Fails with an {@link IOException} naming
   * the path when the disk says no, or with the message source's error; a failed delivery leaves no file.
   */
  public Future<Result> deliver(MailboxDelivery delivery) {
    // Validate on the caller's thread so bad input fails fast with its own message.
    Path mailbox;
    try {
      mailbox = mailboxDir(delivery.database(), delivery.recipient());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Path marker = mailbox.resolve(DELIVERED_MARKERS).resolve(markerName(delivery.networkMessageId()));
    return oneAtATime(marker, () -> vertx.executeBlocking(() -> begin(mailbox, marker, delivery), false)
        .compose(begun -> begun.duplicate() != null
            ? Future.succeededFuture(begun.duplicate())
            : write(begun.file(), delivery.message().open())
                .compose(file -> vertx.executeBlocking(() -> commit(file, mailbox, marker), false))));
  }

  /**
   * One outcome per recipient of {@code copy}, in order. An inline message goes to all mailboxes at once;
   * a claim-checked one to one mailbox after another, each reading the body again, so a copy has at most
   * a couple of chunks in memory however many mailboxes it has. Fails with the
   * {@link BodyUnavailableException} if the body cannot be read: that is the body's fault, not the store's.
   */
  @Override
  public Future<List<DeliveryOutcome>> deliver(MailboxCopy copy) {
    List<Future<DeliveryOutcome>> each = new ArrayList<>();
    Future<?> previous = Future.succeededFuture();
    for (String recipient : copy.recipients()) {
      Future<DeliveryOutcome> outcome = copy.content().inline()
          ? deliverOne(copy, recipient)
          : previous.transform(ar -> ar.failed() ? Future.failedFuture(ar.cause()) : deliverOne(copy, recipient));
      each.add(outcome);
      previous = outcome;
    }
    return Future.join(each).transform(joined -> {
      List<DeliveryOutcome> outcomes = new ArrayList<>(each.size());
      for (Future<DeliveryOutcome> f : each) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
        outcomes.add(f.result());
      }
      return Future.succeededFuture(outcomes);
    });
  }

  private Future<DeliveryOutcome> deliverOne(MailboxCopy copy, String address) {
    Future<DeliveryOutcome> outcome;
    try {
      MailboxDelivery delivery = new MailboxDelivery(copy.database(), address, copy.networkMessageId(),
          copy.sender(), copy.content());
      outcome = deliver(delivery).map(result -> delivered(address, result));
    } catch (IllegalArgumentException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(e -> e instanceof BodyUnavailableException
        ? Future.failedFuture(e)
        : Future.succeededFuture(storeFailure(address, copy.database(), e)));
  }

  private static DeliveryOutcome delivered(String address, Result result) {
    if (result instanceof Result.Duplicate dup) {
      return new DeliveryOutcome.Delivered(address, SmtpReply.of(250, "2.0.0",
          "Duplicate delivery absorbed; first delivered as " + dup.firstDeliveredAs()));
    }
    return new DeliveryOutcome.Delivered(address, SmtpReply.of(250, "2.0.0",
        "Delivered to mailbox as " + result.path().getFileName()));
  }

  private static DeliveryOutcome storeFailure(String address, String database, Throwable e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof IllegalArgumentException) {
      return new DeliveryOutcome.Transient(address, SmtpReply.of(451, "4.3.5",
          "Mailbox store cannot take this recipient in database " + database + ": " + detail));
    }
    if (detail.contains("No space left")) {
      return new DeliveryOutcome.Transient(address, SmtpReply.of(452, "4.3.1",
          "Insufficient system storage in the mailbox store: " + detail));
    }
    return new DeliveryOutcome.Transient(address, SmtpReply.of(451, "4.3.0", "Mailbox store error: " + detail));
  }

  /** Deliveries of one message to one mailbox run one after another, so the marker check sees the earlier one. */
  private Future<Result> oneAtATime(Path marker, Supplier<Future<Result>> work) {
    Promise<Result> mine = Promise.promise();
    Future<?> before;
    synchronized (inProgress) {
      before = inProgress.put(marker, mine.future());
    }
    Future<Void> turn = before == null ? Future.succeededFuture() : before.transform(ar -> Future.succeededFuture());
    turn.compose(v -> work.get()).onComplete(ar -> {
      synchronized (inProgress) {
        inProgress.remove(marker, mine.future());
      }
      mine.handle(ar);
    });
    return mine.future();
  }

  /** A duplicate found by its marker, or a file begun in tmp/. */
  private record Begun(Result duplicate, MaildirFile file) {}

  private Begun begin(Path mailbox, Path marker, MailboxDelivery delivery) throws IOException {
    Path maildir = mailbox.resolve("Maildir");
    if (Files.isDirectory(maildir) && tidied.add(maildir)) {
      removeOrphans(maildir, marker.getParent());
    }
    Result.Duplicate duplicate = earlierDelivery(maildir, marker);
    if (duplicate != null) {
      return new Begun(duplicate, null);
    }
    Path tmp = maildir.resolve("tmp");
    Files.createDirectories(tmp);
    Files.createDirectories(maildir.resolve("new"));
    Files.createDirectories(maildir.resolve("cur"));
    Files.createDirectories(marker.getParent());
    MaildirFile file = MaildirFile.create(tmp, () -> names.unsized(clock.instant()));
    try {
      file.writeRaw(deliveryHeaders(delivery));
    } catch (IOException e) {
      file.abort();
      throw e;
    }
    crashPoints.reached(CrashPoint.TMP_BEGUN);
    return new Begun(null, file);
  }

  /**
   * The earlier delivery {@code marker} records, or null when there was none: a pending marker whose file
   * never reached new/ (a crash before the rename) is no delivery; its tmp file is removed.
   */
  private Result.Duplicate earlierDelivery(Path maildir, Path marker) throws IOException {
    if (!Files.exists(marker)) {
      return null;
    }
    String recorded = Files.readString(marker, StandardCharsets.UTF_8).strip();
    if (!recorded.startsWith(PENDING)) {
      return new Result.Duplicate(marker, recorded);
    }
    String name = recorded.substring(PENDING.length());
    if (isIn(maildir.resolve("new"), name) || isIn(maildir.resolve("cur"), name)) {
      writeMarker(marker, name, false);
      return new Result.Duplicate(marker, name);
    }
    int size = name.lastIndexOf(",S=");
    if (size > 0) {
      Files.deleteIfExists(maildir.resolve("tmp").resolve(name.substring(0, size)));
    }
    log.info("Maildir {}: {} was marked pending but never reached new/ (a crash before the rename); delivering it again",
        maildir, marker.getFileName());
    return null;
  }

  /** Whether {@code dir} holds {@code name}, or {@code name} with what a reader appends ({@code ,W=…}, {@code :2,…}). */
  private static boolean isIn(Path dir, String name) throws IOException {
    if (Files.exists(dir.resolve(name))) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).anyMatch(f -> sameMessage(f, name));
    }
  }

  /** {@code file} is the message stored as {@code name}: the same unique part, whatever info a reader added. */
  static boolean sameMessage(String file, String name) {
    return file.equals(name)
        || (file.startsWith(name) && ",:!".indexOf(file.charAt(name.length())) >= 0);
  }

  /**
   * Removes files in {@code maildir}'s tmp/ and unfinished markers in {@code markers} older than
   * {@link #ORPHAN_AGE}: what a crash left half-written. Returns how many; failures are logged, not thrown.
   */
  int removeOrphans(Path maildir, Path markers) {
    FileTime cutoff = FileTime.from(clock.instant().minus(ORPHAN_AGE));
    int removed = removeOlder(maildir.resolve("tmp"), cutoff, name -> true)
        + removeOlder(markers, cutoff, name -> name.startsWith(MARKER_TEMP_PREFIX));
    if (removed > 0) {
      log.info("Maildir {}: removed {} orphaned file(s) older than {} hours from tmp/", maildir, removed,
          ORPHAN_AGE.toHours());
    }
    return removed;
  }

  private static int removeOlder(Path dir, FileTime cutoff, Predicate<String> which) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        try {
          if (which.test(p.getFileName().toString()) && Files.isRegularFile(p)
              && Files.getLastModifiedTime(p).compareTo(cutoff) < 0 && Files.deleteIfExists(p)) {
            removed++;
          }
        } catch (IOException e) {
          log.warn("Maildir: cannot remove orphaned file {}: {}", p, e.toString());
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("Maildir: cannot list {} for orphaned files: {}", dir, e.toString());
    }
    return removed;
  }

  /** Pulls the next piece only after the previous one is written: bounded memory for any size. */
  private Future<MaildirFile> write(MaildirFile file, ContentStream stream) {
    return stream.next().compose(piece -> piece == null
        ? Future.succeededFuture(file)
        : vertx.executeBlocking(() -> {
          file.write(piece);
          return file;
        }, false).compose(f -> write(f, stream)))
        .recover(e -> {
          stream.close();
          return vertx.executeBlocking(() -> {
            file.abort();
            return null;
          }, false).transform(ar -> Future.failedFuture(e));
        });
  }

  /**
   * fsync the file, mark it pending (durable before the file is in new/), rename it into new/ under its
   * final name (with its size) — the commit point — fsync new/, then mark it delivered.
   */
  private Result commit(MaildirFile file, Path mailbox, Path marker) throws IOException {
    Path fresh = mailbox.resolve("Maildir").resolve("new");
    String name;
    try {
      name = file.finish();
      crashPoints.reached(CrashPoint.FILE_SYNCED);
      writeMarker(marker, PENDING + name, true);
      crashPoints.reached(CrashPoint.MARKED_PENDING);
    } catch (IOException e) {
      file.abort();
      throw e;
    }
    Path stored = fresh.resolve(name);
    try {
      Files.move(file.path(), stored, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      file.abort(); // the pending marker stays: a repeat finds no file in new/ and delivers
      throw e;
    }
    crashPoints.reached(CrashPoint.RENAMED);
    fsyncDirectory(fresh);
    crashPoints.reached(CrashPoint.NEW_SYNCED);
    // No directory fsync: should this rename be lost, the pending marker still finds the file in new/.
    writeMarker(marker, name, false);
    crashPoints.reached(CrashPoint.MARKED_DELIVERED);
    return new Result.Stored(stored);
  }

  /** Replaces {@code marker} with {@code content} atomically (written beside it, fsynced, renamed). */
  private static void writeMarker(Path marker, String content, boolean syncDirectory) throws IOException {
    Path temp = marker.resolveSibling(MARKER_TEMP_PREFIX + marker.getFileName());
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (syncDirectory) {
      fsyncDirectory(marker.getParent());
    }
  }

  private static byte[] deliveryHeaders(MailboxDelivery delivery) {
    return ("Return-Path: <" + delivery.sender() + ">\n" + "Delivered-To: "
        + delivery.recipient().toLowerCase(Locale.ROOT) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Return-Path and Delivered-To on top, line ends made LF (an inline message: what the file holds). */
  static byte[] withDeliveryHeaders(MailboxDelivery delivery) {
    if (!delivery.message().inline()) {
      throw new IllegalArgumentException("only an inline message is at hand whole");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(deliveryHeaders(delivery));
    LfLineEnds lf = new LfLineEnds();
    out.writeBytes(lf.convert(delivery.message().head()));
    out.writeBytes(lf.finish());
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
    return DeliveredMarkers.fileName(networkMessageId);
  }

  // A rename is durable only once its directory is on disk (Linux: fsync the directory).
  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
