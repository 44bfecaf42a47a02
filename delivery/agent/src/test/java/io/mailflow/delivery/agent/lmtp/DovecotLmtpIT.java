package io.mailflow.delivery.agent.lmtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.maildir.MailboxDelivery;
import io.mailflow.delivery.agent.maildir.MaildirStore;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Permanent;
import io.mailflow.delivery.core.DeliveryOutcome.Transient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a real Dovecot: LMTP delivery with per-recipient replies into Dovecot's Maildirs, and the
 * built-in MaildirStore's files read by Dovecot as they are.
 */
class DovecotLmtpIT {

  @TempDir
  static Path dir;
  private static Dovecot dovecot;
  private static Vertx vertx;
  private static Path ourStore;

  @BeforeAll
  static void start() throws Exception {
    Dovecot.require();
    ourStore = dir.resolve("store");
    Files.writeString(dir.resolve("not-a-directory"), "a file where carol's Maildir should be\n");
    dovecot = Dovecot.start(dir, List.of(
        "alice@contoso.test:::::::",
        "bob@contoso.test:::::::",
        // a mail location under a regular file: Dovecot cannot create it and answers 451 for carol alone
        "carol@contoso.test:::::::userdb_mail=maildir:" + dir.resolve("not-a-directory/carol"),
        // dave's mail is the built-in store's Maildir, read by Dovecot as our store wrote it
        "dave@contoso.test:::::::userdb_mail=maildir:" + ourStore.resolve("DB01/dave@contoso.test/Maildir")));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static byte[] message(String subject) {
    return ("From: a@src.test\r\nTo: team@contoso.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
        + "@src.test>\r\n\r\nHello from mailflow.\r\n.leading dot stays\r\n").getBytes(UTF_8);
  }

  @Test
  void lmtpGivesEachRecipientDovecotsOwnReply() throws Exception {
    LmtpStore store = LmtpStore.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setReplyTimeout(Duration.ofSeconds(30)));
    try {
      List<DeliveryOutcome> outcomes = store.deliver("127.0.0.1", dovecot.port(), "a@src.test",
          List.of("alice@contoso.test", "nobody@contoso.test", "bob@contoso.test", "carol@contoso.test"),
          MessageSource.of(message("lmtp-interop"))).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

      String log = dovecot.log();
      assertInstanceOf(Delivered.class, outcomes.get(0), outcomes + "\n" + log);
      Permanent unknown = assertInstanceOf(Permanent.class, outcomes.get(1), outcomes.toString());
      assertTrue(unknown.recipientStatus().startsWith("550 5.1.1"), unknown.recipientStatus());
      assertInstanceOf(Delivered.class, outcomes.get(2), outcomes.toString());
      Transient carol = assertInstanceOf(Transient.class, outcomes.get(3), outcomes + "\n" + log);
      assertTrue(carol.recipientStatus().matches("451 4\\.\\d\\.\\d <carol@contoso.test> .*"), carol.recipientStatus());
      assertTrue(outcomes.get(0).recipientStatus().matches("250 2\\.0\\.0 <alice@contoso.test> .* Saved"),
          outcomes.get(0).recipientStatus());

      for (String user : List.of("alice@contoso.test", "bob@contoso.test")) {
        List<Path> files = newMail(dir.resolve("mail").resolve(user).resolve("Maildir"));
        assertEquals(1, files.size(), user + ": " + files);
        String stored = Files.readString(files.get(0));
        assertTrue(stored.contains("Subject: lmtp-interop"), stored);
        assertTrue(stored.contains("\n.leading dot stays"), "dot-stuffing undone by Dovecot: " + stored);
        assertTrue(stored.contains("Return-Path: <a@src.test>"), stored);
      }
    } finally {
      store.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void dovecotReadsTheBuiltInStoresMaildirUnchanged() throws Exception {
    MaildirStore store = MaildirStore.create(vertx, ourStore, "mf1");
    for (String subject : List.of("first-from-maildir-store", "second-from-maildir-store")) {
      store.deliver(new MailboxDelivery("DB01", "dave@contoso.test", "nmid-" + subject, "a@src.test",
          MessageSource.of(message(subject)))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    Dovecot.openPath(ourStore);
    Dovecot.giveToMailUser(ourStore); // as root only: Dovecot reads mail as nobody; ownership, not content

    String subjects = dovecot.doveadm("fetch", "-u", "dave@contoso.test", "hdr.subject", "mailbox", "INBOX", "all");
    assertTrue(subjects.contains("first-from-maildir-store") && subjects.contains("second-from-maildir-store"),
        subjects + "\n" + dovecot.log());
    String text = dovecot.doveadm("fetch", "-u", "dave@contoso.test", "text", "mailbox", "INBOX",
        "header", "Subject", "first-from-maildir-store");
    assertTrue(text.contains("Hello from mailflow.") && text.contains("Delivered-To: dave@contoso.test"), text);
    String count = dovecot.doveadm("search", "-u", "dave@contoso.test", "mailbox", "INBOX", "all");
    assertEquals(2, count.strip().lines().count(), count);
  }

  private static List<Path> newMail(Path maildir) throws Exception {
    try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
      return files.toList();
    }
  }
}
