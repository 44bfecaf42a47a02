package io.mailflow.cli;

import io.mailflow.admin.AdminServerOptions;
import io.mailflow.kafka.LogFlusher;
import io.mailflow.organization.Organization;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * RoleCommand - one role per process against an external Kafka cluster. Any number of processes of a
 * role share its work through the role's consumer group (the edge shares nothing: put a load balancer
 * or several MX records in front of its instances).
 */
abstract class RoleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOption organization;

  @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,..]",
      description = "Kafka bootstrap servers of the cluster")
  String bootstrap;

  @Option(names = "--data-dir", defaultValue = "./mailflow-data",
      description = "The node's own files: TLS certificate, protocol logs, and the delivery role's mail store unless --mail-store (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--admin-port", defaultValue = "" + AdminServerOptions.DEFAULT_ROLE_PORT, paramLabel = "N",
      description = "Port of the admin server (health, /metrics, /api/v1); 0, the default, takes any free port "
          + "(printed at start), since several roles often share a machine")
  int adminPort;

  @Mixin AdminBindOption adminBind;

  @Mixin BrokerDataDirOption brokerDataDir;

  private final Role role;

  RoleCommand(Role role) {
    this.role = role;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Node.AdminListener admin = adminBind.listener(adminPort); // a bad --admin-bind is refused before anything starts
    Path store = mailStore(); // and so is a bad --mail-store
    brokerDataDir.logDirectory(); // and a --broker-data-dir that is no broker's
    Organization org = organization.load();
    OrganizationSummary.print(org, organization.describeSource(), out);
    // registered before any client exists, so every publisher and the edge's writer wait for the flush
    LogFlusher flusher = brokerDataDir.register(bootstrap, org, out);
    try (Node node = Node.start(bootstrap, org, dataDir, store, EnumSet.of(role), out, admin);
        ShutdownHook hook = ShutdownHook.closeOnExit(node)) {
      if (flusher != null) {
        flusher.bindTo(node.meters());
      }
      out.printf("%s running against Kafka at %s; Ctrl-C stops it%n", role.name().toLowerCase(), bootstrap);
      out.flush();
      node.awaitShutdown();
    } finally {
      BrokerDataDirOption.unregister(bootstrap, flusher);
    }
    return 0;
  }

  /** Where the mail store lives; only delivery has one (and the option to move it). */
  Path mailStore() {
    return dataDir.resolve(MailStoreOption.DEFAULT_SUBDIR);
  }

  @Command(name = "edge", mixinStandardHelpOptions = true,
      description = "Run the SMTP edge (receive connectors) against a Kafka cluster.")
  static final class Edge extends RoleCommand {
    Edge() {
      super(Role.EDGE);
    }
  }

  @Command(name = "categorizer", mixinStandardHelpOptions = true,
      description = "Run a categorizer (recipient resolution) against a Kafka cluster.")
  static final class Categorizer extends RoleCommand {
    Categorizer() {
      super(Role.CATEGORIZER);
    }
  }

  @Command(name = "routing", mixinStandardHelpOptions = true,
      description = "Run a routing instance (next-hop selection) against a Kafka cluster.")
  static final class Routing extends RoleCommand {
    Routing() {
      super(Role.ROUTING);
    }
  }

  @Command(name = "delivery", mixinStandardHelpOptions = true,
      description = "Run a delivery instance (mailbox store, SMTP out) against a Kafka cluster.")
  static final class Delivery extends RoleCommand {
    @Mixin MailStoreOption mailStore;

    Delivery() {
      super(Role.DELIVERY);
    }

    @Override
    Path mailStore() {
      return mailStore.resolve(dataDir);
    }
  }
}
