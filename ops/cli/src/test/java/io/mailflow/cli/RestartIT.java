package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mailflow run` stopped right after accepting mail and started again on the same data dir. */
class RestartIT {
  @TempDir Path dataDir;

  @Test
  void restartOnTheSameDataDirLosesNothingAndShowsNothingTwice() throws Exception {
    int port = TestPorts.free();
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(port, 1), "restart.yaml");
    String subject = "restart " + UUID.randomUUID();
    int messages = 20;

    try (RunCommand.Running first = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(new StringWriter()))) {
      for (int i = 0; i < messages; i++) {
        MailflowRunIT.send(port, subject + " #" + i, "alice@contoso.test");
      }
      // Stopped at once: whatever delivery had not finished is still in Kafka, uncommitted.
    }
    try (RunCommand.Running second = RunCommand.Running.start(org, dataDir, 0, new PrintWriter(new StringWriter()))) {
      MailflowRunIT.awaitMessages(dataDir, "alice@contoso.test", subject, messages);
      MailflowRunIT.send(port, subject + " after", "alice@contoso.test");
      MailflowRunIT.awaitMessages(dataDir, "alice@contoso.test", subject + " after", 1);

      assertEquals(messages + 1, MailflowRunIT.messages(dataDir, "alice@contoso.test", subject).size(),
          "every accepted message once, none twice");
    }
  }
}
