package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.ControlView;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mailflow site` refuses unknown sites before touching Kafka, and lists why each site is down. */
class SiteCommandTest {
  private static final Path THREE_SITES = Path.of("src/test/resources/route/three-sites.yaml");

  @TempDir Path dir;

  @Test
  void anUnknownSiteIsAUsageErrorListingTheSitesThereAre() {
    int closed = TestPorts.free(); // never contacted: the name is checked first
    for (String command : List.of("down", "up")) {
      CliRun run = mailflow("site", command, "--site", "Z", "--config", THREE_SITES.toString(),
          "--bootstrap", "127.0.0.1:" + closed);
      assertEquals(2, run.exit(), run.err());
      assertTrue(run.err().contains("--site: no site named 'Z' (known: A, B, C, Empty)"), run.err());
      assertEquals("", run.out());
    }
  }

  @Test
  void unreachableKafkaIsOneLineNamingTheTopicAndAddress() {
    int closed = TestPorts.free();
    CliRun run = mailflow("site", "down", "--site", "c", "--config", THREE_SITES.toString(),
        "--bootstrap", "127.0.0.1:" + closed, "--kafka-timeout", "2");
    assertEquals(1, run.exit());
    assertTrue(run.err().startsWith("mailflow: cannot write to mail.control.v1 at 127.0.0.1:" + closed), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void listSaysUpOrDownAndWhetherAdminOrConfigWithWhoWhenAndWhy() throws Exception {
    Path file = dir.resolve("a-down.yaml");
    Files.writeString(file, Files.readString(THREE_SITES).replace("{ name: A }", "{ name: A, down: true }"));
    Organization org = OrganizationLoader.load(file);
    ControlRecord c = ControlRecord.newBuilder().setKind(ControlKind.SITE).setTarget("C").setState("Down")
        .setReason("WAN outage").setSetBy("ops@admin1").setSetAt(Instant.parse("2026-11-23T00:00:00Z")).build();

    List<String> lines = SiteCommand.lines(org, Map.of(ControlView.key(ControlKind.SITE, "C"), c));

    assertEquals(List.of(
        "A      Down  config: sites[].down",
        "B      Up",
        "C      Down  admin: set by ops@admin1 at 2026-11-23T00:00:00Z, reason: WAN outage",
        "Empty  Up"), lines);
  }

  @Test
  void routeExplainSaysWhichSitesAreDownByConfigAndQueuesBeforeThem() throws Exception {
    Path file = dir.resolve("c-down.yaml");
    Files.writeString(file, Files.readString(THREE_SITES).replace("{ name: C }", "{ name: C, down: true }"));
    CliRun run = mailflow("route", "explain", "--config", file.toString(), "--recipient", "carol@contoso.test",
        "--from-site", "B");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().lines().anyMatch(l -> l.equals("site C is down (config: sites[].down)")), run.out());
    assertTrue(run.out().contains("queues in A"), run.out());
  }
}
