package io.mailflow.delivery.agent.maildir;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.maildir.MaildirStore.CrashPoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Maildir store after a crash at each step of a delivery: the crashed store is abandoned where the
 * crash left it, a new store opens the same root (the restarted process) and the copy is delivered again
 * (Kafka's at-least-once redelivery). The mailbox holds the message exactly once.
 */
class MaildirStoreCrashTest {

  private static final byte[] MESSAGE = ("From: Alice <alice@fabrikam.test>\r\nTo: bob@contoso.test\r\n"
      + "Subject: Quarterly report\r\nMessage-ID: <1@fabrikam.test>\r\n\r\nNumbers attached.\r\n").getBytes(UTF_8);
  private static final String BOB = "bob@contoso.test";

  /** What a kill -9 does to the delivery under way: it stops there. */
  private static final class SimulatedCrash extends RuntimeException {
    SimulatedCrash(CrashPoint point) {
      super("simulated crash after " + point);
    }
  }

  @TempDir Path root;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static MailboxDelivery delivery() {
    return new MailboxDelivery("DB01", BOB, "nmid-crash", "alice@fabrikam.test", MESSAGE);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private MaildirStore crashingAt(CrashPoint at) {
    return MaildirStore.create(vertx, root, "mf1", point -> {
      if (point == at) {
        throw new SimulatedCrash(point);
      }
    });
  }

  /** The messages a reader sees: every file in new/ and cur/. */
  private List<Path> messages(MaildirStore store) throws IOException {
    List<Path> all = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      Path dir = store.maildir("DB01", BOB).resolve(sub);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          all.addAll(s.toList());
        }
      }
    }
    return all;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void aCopyDeliveredAgainAfterACrashAtAnyStepIsInTheMailboxExactlyOnce(CrashPoint at) throws Exception {
    ExecutionException crash = assertThrows(ExecutionException.class, () -> await(crashingAt(at).deliver(delivery())));
    assertInstanceOf(SimulatedCrash.class, crash.getCause());

    MaildirStore restarted = MaildirStore.create(vertx, root, "mf1");
    MaildirStore.Result again = await(restarted.deliver(delivery()));
    MaildirStore.Result third = await(restarted.deliver(delivery()));

    List<Path> messages = messages(restarted);
    assertEquals(1, messages.size(), "got " + messages + ", want one message after a crash after " + at);
    assertArrayEquals(MaildirStore.withDeliveryHeaders(delivery()), Files.readAllBytes(messages.get(0)));
    Class<?> expected = at.compareTo(CrashPoint.RENAMED) >= 0 ? MaildirStore.Result.Duplicate.class
        : MaildirStore.Result.Stored.class;
    assertInstanceOf(expected, again, "after a crash after " + at);
    MaildirStore.Result.Duplicate dup = assertInstanceOf(MaildirStore.Result.Duplicate.class, third);
    assertEquals(messages.get(0).getFileName().toString(), dup.firstDeliveredAs());
    assertEquals(messages.get(0).getFileName().toString(), Files.readString(dup.path(), UTF_8),
        "the marker is completed: it names the stored file");
  }

  @Test
  void aPendingMarkerWhoseFileTheReaderMovedToCurWithFlagsIsADuplicate() throws Exception {
    assertThrows(ExecutionException.class, () -> await(crashingAt(CrashPoint.NEW_SYNCED).deliver(delivery())));
    MaildirStore restarted = MaildirStore.create(vertx, root, "mf1");
    Path maildir = restarted.maildir("DB01", BOB);
    Path fresh = files(maildir.resolve("new")).get(0);
    // Dovecot moves a seen message to cur/, adding its virtual size and flags.
    Files.move(fresh, maildir.resolve("cur").resolve(fresh.getFileName() + ",W=140:2,S"));

    MaildirStore.Result again = await(restarted.deliver(delivery()));

    assertInstanceOf(MaildirStore.Result.Duplicate.class, again);
    assertEquals(1, messages(restarted).size());
  }

  @Test
  void aPendingMarkerWithoutItsFileRemovesTheHalfDeliveredTmpFile() throws Exception {
    assertThrows(ExecutionException.class, () -> await(crashingAt(CrashPoint.MARKED_PENDING).deliver(delivery())));
    MaildirStore restarted = MaildirStore.create(vertx, root, "mf1");
    Path tmp = restarted.maildir("DB01", BOB).resolve("tmp");
    assertEquals(1, files(tmp).size(), "the crash left the whole file in tmp/");

    assertInstanceOf(MaildirStore.Result.Stored.class, await(restarted.deliver(delivery())));

    assertEquals(List.of(), files(tmp));
    assertEquals(1, messages(restarted).size());
  }

  @Test
  void aMessageTheUserDeletedIsNotDeliveredAgainByAReplay() throws Exception {
    MaildirStore store = MaildirStore.create(vertx, root, "mf1");
    Path stored = await(store.deliver(delivery())).path();
    Files.delete(stored);

    assertInstanceOf(MaildirStore.Result.Duplicate.class, await(store.deliver(delivery())));
    assertEquals(0, messages(store).size());
  }

  @Test
  void readerAddedInfoStillNamesTheSameMessage() {
    String name = "1765000000.M12P34Q5.mf1,S=140";
    assertTrue(MaildirStore.sameMessage(name, name));
    assertTrue(MaildirStore.sameMessage(name + ":2,S", name));
    assertTrue(MaildirStore.sameMessage(name + ",W=143:2,RS", name));
    assertTrue(MaildirStore.sameMessage(name + "!2,S", name)); // Dovecot's separator where ':' is not allowed
    assertFalse(MaildirStore.sameMessage("1765000000.M12P34Q5.mf1,S=1400", name));
    assertFalse(MaildirStore.sameMessage("1765000000.M12P34Q55.mf1,S=140", name));
  }

  @Test
  void orphanedTmpFilesOlderThan36HoursAreRemovedOnFirstUseOfTheMailbox() throws Exception {
    MaildirStore first = MaildirStore.create(vertx, root, "mf1");
    await(first.deliver(new MailboxDelivery("DB01", BOB, "nmid-before", "", MESSAGE)));
    Path maildir = first.maildir("DB01", BOB);
    Path markers = root.resolve("DB01").resolve(BOB).resolve(MaildirStore.DELIVERED_MARKERS);
    Path old = Files.writeString(maildir.resolve("tmp").resolve("1765000000.M1P2Q3.mf1"), "half a message");
    Path oldMarker = Files.writeString(markers.resolve(".tmp-nmid-x"), "pending 1765000000.M1P2Q3.mf1,S=9");
    Path recent = Files.writeString(maildir.resolve("tmp").resolve("1765000001.M1P2Q4.mf1"), "being written");
    FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(37)));
    Files.setLastModifiedTime(old, longAgo);
    Files.setLastModifiedTime(oldMarker, longAgo);
    Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Duration.ofHours(35))));

    MaildirStore restarted = MaildirStore.create(vertx, root, "mf1");
    await(restarted.deliver(delivery()));

    assertFalse(Files.exists(old), "an orphan older than 36 hours is removed");
    assertFalse(Files.exists(oldMarker), "an unfinished marker older than 36 hours is removed");
    assertTrue(Files.exists(recent), "a file younger than 36 hours may still be being written");
    assertTrue(Files.exists(markers.resolve("nmid-before")), "finished markers are kept");
    assertEquals(2, messages(restarted).size());
  }

  @Test
  void removingOrphansCountsWhatItRemoved() throws Exception {
    MaildirStore store = MaildirStore.create(vertx, root, "mf1");
    Path maildir = store.maildir("DB01", BOB);
    Files.createDirectories(maildir.resolve("tmp"));
    FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(40)));
    for (int i = 0; i < 3; i++) {
      Files.setLastModifiedTime(Files.writeString(maildir.resolve("tmp").resolve("orphan" + i), "x"), longAgo);
    }

    assertEquals(3, store.removeOrphans(maildir, maildir.resolveSibling(MaildirStore.DELIVERED_MARKERS)));
    assertEquals(List.of(), files(maildir.resolve("tmp")));
  }
}
