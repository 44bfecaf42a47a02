package io.mailflow.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's instance id reaches every stage loop as its static group membership (delivery's retry forwarders
 * too, one member per delay topic), stays the same across restarts on a data dir, and a second live node on
 * that data dir runs without it.
 */
class NodeInstanceIdentityIT {
  private static final List<String> GROUPS =
      List.of("mailflow-categorizer", "mailflow-routing", "mailflow-delivery", "mailflow-delivery-retry");

  @TempDir Path work;

  @Test
  void everyStageLoopIsAStaticMemberUnderTheDataDirsInstanceId() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0);
    Path data = work.resolve("data");
    Organization org = OrganizationLoader.parse(MailflowRunIT.organizationYaml(TestPorts.free(), 1), "it.yaml");
    EnumSet<Role> roles = EnumSet.of(Role.CATEGORIZER, Role.ROUTING, Role.DELIVERY);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      String id;
      try (Node node = start(kafka, org, data, roles, new StringWriter())) {
        id = node.instanceId();
        assertEquals(id, Files.readString(data.resolve(InstanceIdentity.FILE)).strip());
        Map<String, List<Optional<String>>> members = awaitMembers(admin, 7);
        assertEquals(Set.of(Optional.of(id + "-categorizer-mail.submission.v1")), Set.copyOf(members.get(
            "mailflow-categorizer")));
        assertEquals(Set.of(Optional.of(id + "-routing-mail.categorized.v1")), Set.copyOf(members.get(
            "mailflow-routing")));
        assertEquals(Set.of(Optional.of(id + "-delivery-mail.delivery.v1")), Set.copyOf(members.get(
            "mailflow-delivery")));
        assertEquals(4, Set.copyOf(members.get("mailflow-delivery-retry")).size(), "one member per delay topic");
        members.get("mailflow-delivery-retry").forEach(m -> assertTrue(m.orElseThrow().startsWith(id + "-delivery-"),
            m.toString()));

        StringWriter second = new StringWriter();
        try (Node sharing = start(kafka, org, data, EnumSet.of(Role.ROUTING), second)) {
          assertNotEquals(id, sharing.instanceId());
          assertTrue(second.toString().startsWith("warning: " + data.toAbsolutePath().resolve(InstanceIdentity.FILE)
              + " is held by another running mailflow process"), second.toString());
          await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(
              List.of(Optional.empty(), Optional.of(id + "-routing-mail.categorized.v1")),
              describe(admin).get("mailflow-routing").stream().sorted((a, b) -> a.orElse("").compareTo(b.orElse("")))
                  .toList(), "the second node's routing joins without static membership"));
        }
      }
      try (Node restarted = start(kafka, org, data, EnumSet.of(Role.ROUTING), new StringWriter())) {
        assertEquals(id, restarted.instanceId(), "a restart on the data dir is the same instance");
      }
    } finally {
      kafka.close();
    }
  }

  private static Node start(EmbeddedKafka kafka, Organization org, Path data, EnumSet<Role> roles, StringWriter out) {
    return Node.start(kafka.bootstrapServers(), org, data, data.resolve("mailstore"), roles,
        new PrintWriter(out, true), (short) 1, null);
  }

  private static Map<String, List<Optional<String>>> awaitMembers(Admin admin, int count) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
        .until(() -> describe(admin), m -> m.values().stream().mapToInt(List::size).sum() == count);
  }

  /** Per group, its members' group.instance.id. */
  private static Map<String, List<Optional<String>>> describe(Admin admin) throws Exception {
    Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(GROUPS).all().get();
    return groups.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
        e -> e.getValue().members().stream().map(MemberDescription::groupInstanceId).toList()));
  }
}
