package io.mailflow.delivery.agent.lmtp;

import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.agent.store.MailboxStore;
import io.mailflow.delivery.agent.store.MailboxStoreContract;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LMTP store against the mailbox store contract, with a real Dovecot LMTP ({@link Dovecot}; skipped
 * without Dovecot, failing on CI). Duplicates are absorbed by mailflow's delivered markers in a directory
 * of its own; Dovecot's unknown user is refused for good (550 5.1.1); down is a port nothing listens on.
 */
class LmtpStoreContractIT implements MailboxStoreContract {

  @TempDir
  static Path dir;
  private static Dovecot dovecot;
  private static Vertx vertx;
  private static LmtpStore lmtp;
  private static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    Dovecot.require();
    dovecot = Dovecot.start(dir, List.of("ann@contoso.test:::::::", "ben@contoso.test:::::::"));
    vertx = Vertx.vertx();
    lmtp = LmtpStore.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setReplyTimeout(Duration.ofSeconds(30)));
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort(); // closed again: nothing listens there
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (lmtp != null) {
      lmtp.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Override
  public MailboxStore store() {
    return lmtp.at("127.0.0.1", dovecot.port(), dir.resolve("markers"));
  }

  @Override
  public MailboxStore storeThatIsDown() {
    return lmtp.at("127.0.0.1", closedPort, dir.resolve("markers"));
  }

  @Override
  public List<String> mailboxes() {
    return List.of("ann@contoso.test", "ben@contoso.test");
  }

  @Override
  public String refusedRecipient() {
    return "nobody@contoso.test";
  }

  @Override
  public Class<? extends DeliveryOutcome> refusal() {
    return DeliveryOutcome.Permanent.class;
  }

  @Override
  public int messagesIn(String mailbox) throws Exception {
    int n = 0;
    for (String sub : List.of("new", "cur")) {
      Path folder = dir.resolve("mail").resolve(mailbox).resolve("Maildir").resolve(sub);
      if (Files.isDirectory(folder)) {
        try (Stream<Path> files = Files.list(folder)) {
          n += (int) files.count();
        }
      }
    }
    return n;
  }
}
