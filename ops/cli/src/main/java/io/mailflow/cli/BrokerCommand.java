package io.mailflow.cli;

import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.kafka.embedded.KraftNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * BrokerCommand - `mailflow broker`: one Kafka node (KRaft, broker and controller in one process) of a small
 * cluster, so that a cluster for the role commands needs no hand-written Kafka properties. Three of them on
 * one quorum make a cluster that survives losing one (RF 3, min ISR 2 by default).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {"Run one Kafka node (KRaft broker and controller) of a small cluster for the role commands.",
        "Example, three nodes on one machine (run each in its own terminal, N = 1, 2, 3):",
        "  mailflow broker --node-id N --port 2909N --controller-quorum "
            + "1@127.0.0.1:29191,2@127.0.0.1:29192,3@127.0.0.1:29193 --data-dir kafka-N"})
final class BrokerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--node-id", required = true, paramLabel = "ID",
      description = "This node's id (Kafka's node.id); must have an entry in --controller-quorum")
  int nodeId;

  @Option(names = "--controller-quorum", required = true, paramLabel = "ID@HOST:PORT[,..]",
      description = "Every node of the cluster with its controller port, the same list on every node "
          + "(Kafka's controller.quorum.voters); this node's controller listens on its own entry")
  String quorum;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address both listeners bind and the broker advertises to clients (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "" + RunCommand.DEFAULT_KAFKA_PORT, paramLabel = "N",
      description = "The broker (client) listener's port, 0 for any (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "The node's metadata log and partitions; formatted on first start, one per node")
  Path dataDir;

  @Option(names = "--cluster-id", paramLabel = "ID",
      description = "The cluster's id, the same on every node (default: derived from --controller-quorum, so "
          + "nodes given the same quorum agree without it)")
  String clusterId;

  @Option(names = "--replication-factor", paramLabel = "N",
      description = "Replication of topics created without one, and of Kafka's internal topics (default: "
          + "the quorum's size, at most 3)")
  Integer replicationFactor;

  @Option(names = "--min-insync-replicas", paramLabel = "N",
      description = "Replicas that must have a write before it is acknowledged (default: 2 with 3 replicas, else 1)")
  Integer minInsyncReplicas;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<KraftNode.Voter> voters = KraftNode.parseVoters(quorum, "--controller-quorum");
    int rf = replicationFactor != null ? replicationFactor : KraftNode.defaultReplicationFactor(voters.size());
    int isr = minInsyncReplicas != null ? minInsyncReplicas : KraftNode.defaultMinInsyncReplicas(rf);
    String cluster = clusterId != null ? clusterId : KraftNode.clusterIdFor(voters);
    KraftNode node = new KraftNode(nodeId, host, port, voters, dataDir, cluster, rf, isr);
    out.printf("broker        node %d of cluster %s: waiting for a majority of %s%n", nodeId, cluster, quorum);
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedKafka kafka = EmbeddedKafka.start(node);
    AutoCloseable stop = () -> {
      try {
        kafka.close();
      } finally {
        stopped.countDown();
      }
    };
    try (ShutdownHook hook = ShutdownHook.closeOnExit(stop)) {
      out.printf("broker        node %d at %s (controller %s:%d, replication %d, min ISR %d, data in %s)%n", nodeId,
          kafka.bootstrapServers(), host, node.voters().stream().filter(v -> v.id() == nodeId).findFirst()
              .orElseThrow().port(), rf, isr, dataDir.toAbsolutePath().normalize());
      if (rf == 1) { // no replica: nothing but a flush makes an acknowledged record survive a power cut
        out.printf("durability    replication 1: this node acknowledges records before they are on disk; start the "
            + "role processes of this machine with --broker-data-dir %s so they flush before a 250%n",
            dataDir.toAbsolutePath().normalize());
      }
      out.println("broker is running; Ctrl-C stops it");
      out.flush();
      stopped.await();
    }
    return 0;
  }
}
