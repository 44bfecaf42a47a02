package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue counts with every stage running (`mailflow run`): mail for a dead destination (the smart host is port 1,
 * nothing listens) stays queued and counted while delivery retries it, and a suspended queue keeps counting the
 * copies it holds on the delay topics: the counts QUEUESTATE alone got wrong.
 */
class QueuedMailCountIT {
  @TempDir static Path work;
  private static RunCommand.Running running;
  private static int smtpPort;
  private static String bootstrap;

  @BeforeAll
  static void start() throws Exception {
    smtpPort = TestPorts.free();
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(smtpPort, 1), "it.yaml");
    running = RunCommand.Running.start(org, work.resolve("data"), 0, new PrintWriter(new StringWriter()));
    bootstrap = running.kafka.bootstrapServers();
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  /** The `queue list` line of the smart-host queue, once it counts {@code count} copies. */
  private static String smartHostQueue(int count) {
    String[] line = new String[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      CliRun list = mailflow("queue", "list", "--bootstrap", bootstrap);
      assertEquals(0, list.exit(), list.err());
      line[0] = list.out().lines().filter(l -> l.contains("SmartHostConnectorDelivery")).findFirst()
          .orElseThrow(() -> new AssertionError("no smart-host queue in\n" + list.out()));
      assertTrue(line[0].matches(".*SmartHostConnectorDelivery\\s+\\S+\\s+" + count + "\\s+.*"), line[0]);
    });
    return line[0];
  }

  @Test
  void mailForADeadDestinationAndASuspendedQueueIsCounted() throws Exception {
    // partners@contoso.test: bob here, and partner@fabrikam.test through the dead smart host
    MailflowRunIT.send(smtpPort, "to a dead host", "partners@contoso.test");
    String line = smartHostQueue(1);
    String key = line.substring(line.indexOf('\\') + 1, line.indexOf(' '));

    // the copy is listed with its sender and where it stands
    CliRun messages = mailflow("message", "list", "--queue", key, "--bootstrap", bootstrap);
    assertTrue(messages.out().contains("carol@example.com") && messages.out().contains("1 of 1"), messages.out());

    assertEquals(0, mailflow("queue", "suspend", "--next-hop", key, "--bootstrap", bootstrap).exit());
    MailflowRunIT.send(smtpPort, "to a suspended queue", "partners@contoso.test");
    String suspended = smartHostQueue(2);
    assertTrue(suspended.matches(".*SmartHostConnectorDelivery\\s+Suspended\\s+2\\s+.*"), suspended);
    CliRun held = mailflow("message", "list", "--queue", key, "--status", "Suspended", "--bootstrap", bootstrap);
    assertTrue(held.out().contains("2 of 2"), held.out());
  }
}
