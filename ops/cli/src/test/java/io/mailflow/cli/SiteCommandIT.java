package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.embedded.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** `site down`, `site list`, `route explain --bootstrap` and `site up` against a real broker. */
class SiteCommandIT {
  private static final String CONFIG = Path.of("src/test/resources/route/three-sites.yaml").toString();

  @Test
  void aSiteTakenDownIsListedAndExplainedWithWhoAndWhyUntilItIsBroughtUp() {
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 3, (short) 1, Duration.ofSeconds(30));

    CliRun down = mailflow("site", "down", "--site", "c", "--reason", "WAN outage", "--config", CONFIG,
        "--bootstrap", bootstrap);
    assertEquals(0, down.exit(), down.err());
    assertTrue(down.out().startsWith("site C: Down (set by "), down.out());

    CliRun list = mailflow("site", "list", "--config", CONFIG, "--bootstrap", bootstrap);
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("C      Down  admin: set by ")
        && l.endsWith(", reason: WAN outage")), list.out());
    assertTrue(list.out().lines().anyMatch(l -> l.equals("A      Up")), list.out());

    CliRun explain = mailflow("route", "explain", "--config", CONFIG, "--recipient", "carol@contoso.test",
        "--from-site", "B", "--bootstrap", bootstrap);
    assertEquals(0, explain.exit(), explain.err());
    assertTrue(explain.out().lines().anyMatch(l -> l.startsWith("site C is down (admin: set by ")), explain.out());
    assertTrue(explain.out().contains("site C is down: the message queues in A (point of failure)"), explain.out());

    CliRun up = mailflow("site", "up", "--site", "C", "--config", CONFIG, "--bootstrap", bootstrap);
    assertEquals(0, up.exit(), up.err());
    assertEquals("site C: run-time setting cleared; Up", up.out().strip());
    CliRun after = mailflow("site", "list", "--config", CONFIG, "--bootstrap", bootstrap);
    assertTrue(after.out().lines().anyMatch(l -> l.equals("C      Up")), after.out());
  }
}
