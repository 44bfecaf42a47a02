package io.mailflow.kafka.embedded;

import java.util.Properties;

/** The embedded broker's configuration: one combined KRaft node on loopback, sized for one machine. */
final class BrokerProperties {
    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private BrokerProperties() {
    }

    static Properties of(DataDirectory dir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        // One process is both broker and controller: no separate quorum to run on one machine.
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static voter set: the voter's address lives in config, not in the metadata log,
        // so the controller may get a different ephemeral port on every start.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");

        // The metadata log apart from the partitions, so a mix-up of the two is detectable (see DataDirectory).
        p.put("metadata.log.dir", dir.metadata().toString());
        p.put("log.dirs", dir.logs().toString());

        // A single broker cannot hold more than one replica of anything, internal topics included.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
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
