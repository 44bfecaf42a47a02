package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** No Docker engine runs here, so the compose file is checked by reading it. */
class DockerComposeTest {
  private static final List<String> BROKERS = List.of("kafka-1", "kafka-2", "kafka-3");
  private static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    Path file = Path.of("../../docker-compose.yml");
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(100);
    Map<String, Object> compose = new Yaml(options).load(Files.readString(file));
    services = (Map<String, Map<String, Object>>) compose.get("services");
  }

  @Test
  @SuppressWarnings("unchecked")
  void threeKraftBrokersFormOneQuorum() {
    for (String broker : BROKERS) {
      Map<String, Object> env = (Map<String, Object>) services.get(broker).get("environment");
      assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"), broker);
      assertEquals("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093", env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"), broker);
      assertEquals(2, env.get("KAFKA_MIN_INSYNC_REPLICAS"), broker);
    }
  }

  @Test
  void everyRoleRunsTwiceAgainstAllThreeBrokers() {
    for (String role : List.of("edge", "categorizer", "routing", "delivery")) {
      List<String> instances = new ArrayList<>();
      for (var service : services.entrySet()) {
        List<?> command = (List<?>) service.getValue().get("command");
        if (command == null || !command.contains(role)) {
          continue;
        }
        instances.add(service.getKey());
        int bootstrap = command.indexOf("--bootstrap");
        assertTrue(bootstrap > 0, service.getKey() + " has no --bootstrap");
        String servers = String.valueOf(command.get(bootstrap + 1));
        for (String broker : BROKERS) {
          assertTrue(servers.contains(broker + ":9092"), service.getKey() + " bootstrap lacks " + broker + ": " + servers);
        }
        assertTrue(command.contains("--config"), service.getKey() + " has no --config");
      }
      assertEquals(2, instances.size(), "instances of " + role + ": " + instances);
    }
  }

  @Test
  void composeOrganizationIsAValidConfig() throws Exception {
    io.mailflow.organization.OrganizationLoader.load(Path.of("../compose/organization.yaml"));
  }
}
