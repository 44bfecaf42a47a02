package io.mailflow.delivery.agent.maildir;

import java.util.concurrent.ExecutionException;
import io.mailflow.delivery.agent.body.PiecesSource;
import io.mailflow.delivery.agent.body.BodyUnavailableException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaildirStoreTest {

  private static final byte[] MESSAGE = ("From: Alice <alice@fabrikam.test>\r\nTo: bob@contoso.test\r\n"
      + "Subject: Quarterly report\r\nMessage-ID: <1@fabrikam.test>\r\n\r\nNumbers attached.\r\n").getBytes(UTF_8);

  @TempDir Path root;
  private Vertx vertx;
  private MaildirStore store;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = MaildirStore.create(vertx, root, "mf1");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static MailboxDelivery delivery(String recipient, String networkMessageId) {
    return new MailboxDelivery("DB01", recipient, networkMessageId, "alice@fabrikam.test", MESSAGE);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void theMessageLandsInNewWithDeliveryHeadersAndParsesAsRfc5322() throws Exception {
    MaildirStore.Result result = await(store.deliver(delivery("Bob@Contoso.test", "nmid-1")));

    Path file = assertInstanceOf(MaildirStore.Result.Stored.class, result).path();
    assertEquals(root.resolve("DB01/bob@contoso.test/Maildir/new"), file.getParent());
    MimeMessage parsed;
    try (InputStream in = Files.newInputStream(file)) {
      parsed = new MimeMessage(Session.getInstance(new Properties()), in);
    }
    assertEquals("<alice@fabrikam.test>", parsed.getHeader("Return-Path")[0]);
    assertEquals("bob@contoso.test", parsed.getHeader("Delivered-To")[0]);
    assertEquals("Quarterly report", parsed.getSubject());
    assertEquals("<1@fabrikam.test>", parsed.getMessageID());
    assertEquals("Numbers attached.\n", parsed.getContent());
    String raw = Files.readString(file, UTF_8);
    assertTrue(raw.startsWith("Return-Path: <alice@fabrikam.test>\nDelivered-To: bob@contoso.test\nFrom: "), raw);
    assertFalse(raw.contains("\r"), "Maildir files use LF line ends");
  }

  @Test
  void theMaildirHasTmpNewAndCurAndTmpIsLeftEmpty() throws Exception {
    await(store.deliver(delivery("bob@contoso.test", "nmid-1")));

    Path maildir = store.maildir("DB01", "BOB@contoso.test");
    assertEquals(root.resolve("DB01/bob@contoso.test/Maildir"), maildir);
    for (String sub : List.of("tmp", "new", "cur")) {
      assertTrue(Files.isDirectory(maildir.resolve(sub)), sub);
    }
    assertEquals(List.of(), files(maildir.resolve("tmp")));
    assertEquals(1, files(maildir.resolve("new")).size());
  }

  @Test
  void fileNamesAreDovecotStyleWithTheirSize() throws Exception {
    Path file = await(store.deliver(delivery("bob@contoso.test", "nmid-1"))).path();

    Matcher m = Pattern.compile("(\\d+)\\.M(\\d+)P(\\d+)Q(\\d+)\\.mf1,S=(\\d+)").matcher(file.getFileName().toString());
    assertTrue(m.matches(), file.getFileName().toString());
    assertEquals(Files.size(file), Long.parseLong(m.group(5)));
    assertEquals(ProcessHandle.current().pid(), Long.parseLong(m.group(3)));
  }

  @Test
  void aSecondDeliveryOfTheSameMessageToTheSameMailboxIsAbsorbed() throws Exception {
    Path first = await(store.deliver(delivery("bob@contoso.test", "nmid-1"))).path();
    MaildirStore.Result second = await(store.deliver(delivery("BOB@contoso.test", "nmid-1")));

    MaildirStore.Result.Duplicate dup = assertInstanceOf(MaildirStore.Result.Duplicate.class, second);
    assertEquals(first.getFileName().toString(), dup.firstDeliveredAs());
    assertEquals(root.resolve("DB01/bob@contoso.test/.mailflow-delivered/nmid-1"), dup.path());
    assertEquals(1, files(store.maildir("DB01", "bob@contoso.test").resolve("new")).size());
  }

  @Test
  void theSameMessageToAnotherMailboxIsNotADuplicate() throws Exception {
    await(store.deliver(delivery("bob@contoso.test", "nmid-1")));
    assertInstanceOf(MaildirStore.Result.Stored.class, await(store.deliver(delivery("carol@contoso.test", "nmid-1"))));
  }

  @Test
  void theMarkerDirectoryIsOutsideTheMaildirSoDovecotShowsNoExtraFolder() throws Exception {
    await(store.deliver(delivery("bob@contoso.test", "nmid-1")));
    Path maildir = store.maildir("DB01", "bob@contoso.test");
    try (Stream<Path> s = Files.list(maildir)) {
      assertEquals(Set.of("tmp", "new", "cur"), s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void concurrentDeliveriesGetUniqueNamesAndIntactFiles() throws Exception {
    List<Future<MaildirStore.Result>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(store.deliver(delivery("bob@contoso.test", "nmid-" + i)));
    }
    Set<Path> paths = new HashSet<>();
    for (Future<MaildirStore.Result> f : all) {
      paths.add(assertInstanceOf(MaildirStore.Result.Stored.class, await(f)).path());
    }
    assertEquals(200, paths.size());
    byte[] expected = MaildirStore.withDeliveryHeaders(delivery("bob@contoso.test", "x"));
    for (Path p : files(store.maildir("DB01", "bob@contoso.test").resolve("new"))) {
      assertArrayEquals(expected, Files.readAllBytes(p), p.toString());
    }
  }

  @Test
  void concurrentRepeatsOfOneDeliveryStoreItOnce() throws Exception {
    List<Future<MaildirStore.Result>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(store.deliver(delivery("bob@contoso.test", "same")));
    }
    int stored = 0;
    for (Future<MaildirStore.Result> f : all) {
      if (await(f) instanceof MaildirStore.Result.Stored) {
        stored++;
      }
    }
    assertEquals(1, stored);
    assertEquals(1, files(store.maildir("DB01", "bob@contoso.test").resolve("new")).size());
  }

  @Test
  void theNullSenderIsAnEmptyReturnPath() throws Exception {
    Path file = await(store.deliver(new MailboxDelivery("DB01", "bob@contoso.test", "n", "", MESSAGE))).path();
    assertTrue(Files.readString(file, UTF_8).startsWith("Return-Path: <>\n"));
  }

  @Test
  void namesThatWouldLeaveTheStoreAreRefusedByWhatTheyAre() throws Exception {
    ExecutionFailure db = failure(store.deliver(new MailboxDelivery("../etc", "bob@contoso.test", "n", "", MESSAGE)));
    assertTrue(db.message.contains("mailbox database name '../etc'"), db.message);
    ExecutionFailure addr = failure(store.deliver(new MailboxDelivery("DB01", "a/../../b@x", "n", "", MESSAGE)));
    assertTrue(addr.message.contains("mailbox address"), addr.message);
    ExecutionFailure noAt = failure(store.deliver(new MailboxDelivery("DB01", "postmaster", "n", "", MESSAGE)));
    assertTrue(noAt.message.contains("not an SMTP address"), noAt.message);
    assertFalse(Files.exists(root.resolve("etc")));
  }

  @Test
  void headerInjectionThroughTheEnvelopeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MailboxDelivery("DB01", "bob@contoso.test", "n", "a@x\r\nBcc: evil@x", MESSAGE));
    assertTrue(e.getMessage().startsWith("sender "), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new MailboxDelivery("DB01", "bob@contoso.test", " ", "a@x", MESSAGE));
  }

  @Test
  void markerNamesAreSafeFileNames() {
    assertEquals("3f2504e0-4f89-11d3-9a0c-0305e82c3301", MaildirStore.markerName("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
    assertEquals("%2E.%2Fx", MaildirStore.markerName("../x")); // never starts with "."
    assertTrue(MaildirStore.markerName("x".repeat(300)).matches("sha256-[0-9a-f]{64}"));
  }

  @Test
  void hostNamesAreEscapedTheMaildirWay() {
    assertEquals("mf1\\057a\\072b", MaildirName.escape("mf1/a:b"));
  }

  private record ExecutionFailure(String message) {}

  private static ExecutionFailure failure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (java.util.concurrent.ExecutionException e) {
      return new ExecutionFailure(e.getCause().getMessage());
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aMessageInPiecesIsWrittenWithLfLineEndsEvenWhenCrAndLfArePiecesApart() throws Exception {
    PiecesSource pieces = new PiecesSource(List.of("Subject: pieces\r\n\r\nline one\r".getBytes(UTF_8),
        "\nline two\r\n".getBytes(UTF_8), "bare\rcr\r".getBytes(UTF_8)), false);
    Path file = await(store.deliver(new MailboxDelivery("DB01", "ivan@contoso.test", "nmid-p", "", pieces))).path();

    String expected = "Return-Path: <>\nDelivered-To: ivan@contoso.test\nSubject: pieces\n\nline one\nline two\n"
        + "bare\rcr\r";
    assertEquals(expected, Files.readString(file, UTF_8));
    assertTrue(file.getFileName().toString().endsWith(",S=" + expected.length()), file.toString());
  }

  @Test
  void aMessageWhoseSourceFailsLeavesNoFileAndNoMarker() throws Exception {
    PiecesSource broken = new PiecesSource(List.of("Subject: broken\r\n\r\n".getBytes(UTF_8),
        "half\r\n".getBytes(UTF_8)), true);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(store.deliver(new MailboxDelivery("DB01", "judy@contoso.test", "nmid-b", "", broken))));
    assertInstanceOf(BodyUnavailableException.class, e.getCause());
    Path maildir = store.maildir("DB01", "judy@contoso.test");
    assertEquals(List.of(), files(maildir.resolve("tmp")));
    assertEquals(List.of(), files(maildir.resolve("new")));
    assertInstanceOf(MaildirStore.Result.Stored.class,
        await(store.deliver(new MailboxDelivery("DB01", "judy@contoso.test", "nmid-b", "", MESSAGE))),
        "a later intact copy is stored, not absorbed");
  }
}
