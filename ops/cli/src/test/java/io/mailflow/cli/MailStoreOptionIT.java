package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --mail-store}: the Maildir store where the option says, apart from the data dir. */
class MailStoreOptionIT {
  @TempDir Path work;

  @Test
  void runDeliversIntoTheMailStoreGivenNotTheDataDir() throws Exception {
    int smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(smtpPort, 1), "it.yaml");
    Path dataDir = work.resolve("data");
    Path store = work.resolve("elsewhere").resolve("store");
    StringWriter printed = new StringWriter();
    try (RunCommand.Running running = RunCommand.Running.start(org, dataDir, store, 0,
        new Node.AdminListener(null, 0), new PrintWriter(printed, true))) {
      MailflowRunIT.send(smtpPort, "kept elsewhere", "bob@contoso.test");
      Path bobNew = store.resolve("DB01").resolve("bob@contoso.test").resolve("Maildir").resolve("new");
      assertEquals(1, countFiles(bobNew, 30), "one message in " + bobNew);
    }
    assertTrue(printed.toString().contains("delivery      mail store in " + store.toAbsolutePath()), printed.toString());
    assertFalse(Files.exists(dataDir.resolve("mailstore")), "nothing in <data-dir>/mailstore");
  }

  /** Files in {@code dir}, waiting up to {@code seconds} for the first. */
  private static int countFiles(Path dir, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          long n = files.count();
          if (n > 0) {
            return (int) n;
          }
        }
      }
      Thread.sleep(50);
    }
    return 0;
  }

  @Test
  void deliveryTakesTheOptionAndOtherRolesHaveNoMailStore() {
    RoleCommand.Delivery delivery = new RoleCommand.Delivery();
    Path store = work.resolve("d1-store");
    new CommandLine(delivery).parseArgs("--bootstrap", "127.0.0.1:9092", "--data-dir", work.resolve("shared").toString(),
        "--mail-store", store.toString());
    assertEquals(store.toAbsolutePath(), delivery.mailStore());
    assertTrue(Files.isDirectory(store), "made at start");

    RoleCommand.Delivery byDefault = new RoleCommand.Delivery();
    new CommandLine(byDefault).parseArgs("--bootstrap", "127.0.0.1:9092", "--data-dir", work.resolve("d").toString());
    assertEquals(work.resolve("d").resolve("mailstore"), byDefault.mailStore());

    assertTrue(new CommandLine(new RoleCommand.Routing()).getCommandSpec().findOption("--mail-store") == null,
        "routing keeps no mail");
  }
}
