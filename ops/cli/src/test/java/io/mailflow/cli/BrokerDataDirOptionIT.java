package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.DurableLogs;
import io.mailflow.kafka.LogFlusher;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --broker-data-dir}: a role process flushes a single-node broker's partition files (a broker that is not in
 * its JVM) before it acknowledges, as {@code run} does for its embedded broker; a dir that is no broker's is refused.
 */
class BrokerDataDirOptionIT {
  private static final String ORG = """
      serverName: EX01
      siteName: Default-First-Site-Name
      acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
      """;

  @TempDir Path work;

  @Test
  void aMissingDirIsRefusedNamingTheOption() {
    Path missing = work.resolve("no-such-broker");
    CliRun r = CliRun.mailflow("categorizer", "--bootstrap", "127.0.0.1:1", "--data-dir", work.resolve("c").toString(),
        "--broker-data-dir", missing.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--broker-data-dir " + missing.toAbsolutePath() + " is not a directory"), r.err());
  }

  @Test
  void aDirThatIsNoBrokersIsRefused() throws Exception {
    Path empty = Files.createDirectories(work.resolve("empty"));
    CliRun r = CliRun.mailflow("delivery", "--bootstrap", "127.0.0.1:1", "--data-dir", work.resolve("d").toString(),
        "--broker-data-dir", empty.toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--broker-data-dir " + empty.toAbsolutePath()
        + " is not a Kafka broker's data dir: no logs/meta.properties"), r.err());
  }

  @Test
  void withoutTheOptionNothingIsFlushed() throws Exception {
    RoleCommand.Edge edge = new RoleCommand.Edge();
    new CommandLine(edge).parseArgs("--bootstrap", "127.0.0.1:9092");
    assertNull(edge.brokerDataDir.register("127.0.0.1:9092", org(true), new PrintWriter(new StringWriter())));
    assertTrue(!DurableLogs.forBootstrap("127.0.0.1:9092").waitsForDisk(), "replication is trusted");
  }

  @Test
  void aRoleFlushesTheBrokersFilesBeforeItsRecordsAreAcknowledged() throws Exception {
    Path kafkaDir = work.resolve("broker");
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0);
    String bootstrap = kafka.bootstrapServers();
    LogFlusher flusher = null;
    try {
      TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
      RoleCommand.Routing routing = new RoleCommand.Routing();
      new CommandLine(routing).parseArgs("--bootstrap", bootstrap, "--broker-data-dir", kafkaDir.toString());
      assertEquals(kafka.logDirectory().toAbsolutePath().normalize(), routing.brokerDataDir.logDirectory(),
          "the broker keeps its partitions where the option looks");

      StringWriter printed = new StringWriter();
      assertNull(routing.brokerDataDir.register(bootstrap, org(false), new PrintWriter(printed, true)),
          "flushToDiskBeforeAcknowledge: false turns it off");
      assertTrue(printed.toString().contains("flushToDiskBeforeAcknowledge is false"), printed.toString());

      flusher = routing.brokerDataDir.register(bootstrap, org(true), new PrintWriter(printed, true));
      assertNotNull(flusher);
      assertTrue(DurableLogs.forBootstrap(bootstrap).waitsForDisk(), "clients of this broker wait for the disk");
      try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "broker-data-dir-it")) {
        publisher.sendRaw(Topics.CATEGORIZED.name(), "m-1", "one".getBytes()).get(30, TimeUnit.SECONDS);
      }
      assertTrue(flusher.syncs() >= 1, "the acknowledged record asked for a flush");
      assertTrue(flusher.flushedSizes().keySet().stream()
          .anyMatch(f -> f.getParent().getFileName().toString().startsWith(Topics.CATEGORIZED.name() + "-")),
          "the record's partition file was flushed: " + flusher.flushedSizes());
    } finally {
      BrokerDataDirOption.unregister(bootstrap, flusher);
      kafka.close();
    }
    assertTrue(!DurableLogs.forBootstrap(bootstrap).waitsForDisk(), "unregistered with the role");
  }

  private static Organization org(boolean flush) throws Exception {
    String yaml = flush ? ORG : ORG + "transportService: { flushToDiskBeforeAcknowledge: false }\n";
    return OrganizationLoader.parse(yaml, "it.yaml");
  }
}
