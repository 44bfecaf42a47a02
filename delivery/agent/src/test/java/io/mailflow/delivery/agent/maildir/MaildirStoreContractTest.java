package io.mailflow.delivery.agent.maildir;

import io.mailflow.delivery.agent.store.MailboxStore;
import io.mailflow.delivery.agent.store.MailboxStoreContract;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in Maildir store against the mailbox store contract, in a temporary directory. It has no
 * directory of users: what it refuses is an address it cannot file (transient 4.3.5); down is a store
 * root under a regular file.
 */
class MaildirStoreContractTest implements MailboxStoreContract {

  @TempDir Path dir;
  private Vertx vertx;
  private MaildirStore store;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = MaildirStore.create(vertx, dir.resolve("mailstore"), "mf1");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public MailboxStore store() {
    return store;
  }

  @Override
  public MailboxStore storeThatIsDown() {
    try {
      Path file = Files.writeString(dir.resolve("not-a-directory"), "a file where the store root should be\n");
      return MaildirStore.create(vertx, file.resolve("mailstore"), "mf1");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public List<String> mailboxes() {
    return List.of("ann@contoso.test", "ben@contoso.test");
  }

  @Override
  public String refusedRecipient() {
    return "no-domain"; // not local@domain: no Maildir can be named after it
  }

  @Override
  public Class<? extends DeliveryOutcome> refusal() {
    return DeliveryOutcome.Transient.class;
  }

  @Override
  public int messagesIn(String mailbox) throws Exception {
    Path fresh = store.maildir(database(), mailbox).resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(fresh)) {
      return (int) files.count();
    }
  }
}
