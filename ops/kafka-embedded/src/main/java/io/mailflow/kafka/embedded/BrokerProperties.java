package io.mailflow.kafka.embedded;

import java.util.Properties;

/**
 * The embedded broker's configuration: one combined KRaft node, sized for one machine. The single node of
 * {@code mailflow run} (node 1 on loopback, alone in its quorum, replication 1) or one node of a small cluster
 * ({@link KraftNode}: its id, host, quorum and replication defaults).
 */
final class BrokerProperties {
    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private BrokerProperties() {
    }

    static Properties of(DataDirectory dir, int brokerPort, int controllerPort) {
        // A static voter set: the voter's address lives in config, not in the metadata log,
        // so the controller may get a different ephemeral port on every start.
        return of(dir, NODE_ID, HOST, brokerPort, controllerPort, NODE_ID + "@" + HOST + ":" + controllerPort, 1, 1);
    }

    /** One node of a cluster: its controller port is its own entry in the quorum. */
    static Properties of(DataDirectory dir, KraftNode node, int brokerPort) {
        Properties p = of(dir, node.nodeId(), node.host(), brokerPort, node.self().port(), node.quorum(),
                node.replicationFactor(), node.minInsyncReplicas());
        // Several brokers: leave consumer groups a moment to gather before the first rebalance (Kafka's default).
        p.remove("group.initial.rebalance.delay.ms");
        return p;
    }

    private static Properties of(DataDirectory dir, int nodeId, String host, int brokerPort, int controllerPort,
            String quorum, int replicationFactor, int minIsr) {
        String rf = String.valueOf(replicationFactor);
        String isr = String.valueOf(minIsr);
        Properties p = new Properties();
        // One process is both broker and controller: no separate quorum process to run.
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", quorum);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");

        // The metadata log apart from the partitions, so a mix-up of the two is detectable (see DataDirectory).
        p.put("metadata.log.dir", dir.metadata().toString());
        p.put("log.dirs", dir.logs().toString());

        // A single broker cannot hold more than one replica of anything, internal topics included; a cluster's
        // internal topics get the same replication as its data (a lost offsets partition would replay mail).
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", isr);
        p.put("offsets.topic.replication.factor", rf);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", isr);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", isr);
        // Internal topics default to 50 partitions each: 150 logs with their index files for one machine's groups.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        // mailflow creates its topics explicitly: a typo in a topic name must fail, not create a new queue.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // No one else will join: the first rebalance need not wait 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // After kill -9 the restarted broker cannot register until the controller's session of its previous
        // incarnation expires (DUPLICATE_BROKER_REGISTRATION): broker.session.timeout.ms, 9 s by default, counted
        // from the controller's start, while the node can neither greet nor deliver. Broker and controller share
        // this process, so a heartbeat never crosses a network: 3 s of silence means the process is gone.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "1000");
        // The active controller appends a no-op record to the metadata log this often so brokers can tell how far
        // behind it they are (KIP-835's lag metrics; 500 ms by default): each one is a Raft append and a metadata-log
        // fsync, all day, on a node with no traffic. Liveness does not hang on it (brokers heartbeat the controller,
        // above), so once every 30 s is plenty (issue 13: 5 s before, 12 fsyncs a minute of an idle node).
        p.put("metadata.max.idle.interval.ms", "30000");

        // Memory: the cleaner's dedupe buffer alone defaults to 128 MB of heap; 2 MB is plenty for compacted
        // control topics of one machine. Fewer threads than a production broker's defaults.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        // Two: after kill -9 the broker recovers every log before it serves; with one thread that recovery was the
        // critical path of a restart.
        p.put("num.recovery.threads.per.data.dir", "2");
        p.put("num.replica.fetchers", "1");
        return p;
    }
}
