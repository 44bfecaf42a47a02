package io.mailflow.kafka.embedded;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * One node of a small KRaft cluster (broker and controller in one process), as {@code mailflow broker} starts it:
 * its id, where it listens, the controller quorum it votes in, where its data lives and the replication defaults
 * of the topics it creates. The single-node broker of {@code mailflow run} is {@link EmbeddedKafka#start(Path, int)}.
 *
 * @param nodeId this node's {@code node.id}; must be one of the voters
 * @param host the address both listeners bind and advertise
 * @param brokerPort the client listener's port (0: any free port; it is advertised as bound)
 * @param voters the static controller quorum ({@code controller.quorum.voters}); this node's entry gives its
 *     controller port
 * @param dataDir metadata log and partitions, as for the single node
 * @param clusterId the cluster's id, the same on every node; formatted into the data dir on first start
 * @param replicationFactor {@code default.replication.factor} and that of Kafka's internal topics
 * @param minInsyncReplicas {@code min.insync.replicas} (and the transaction log's)
 */
public record KraftNode(int nodeId, String host, int brokerPort, List<Voter> voters, Path dataDir, String clusterId,
        int replicationFactor, int minInsyncReplicas) {

    private static final Pattern VOTER = Pattern.compile("(\\d+)@(\\[[0-9a-fA-F:.]+\\]|[^:@\\s]+):(\\d+)");

    /** One member of the controller quorum: {@code id@host:port}. */
    public record Voter(int id, String host, int port) {
        /** Kafka's notation, as in {@code controller.quorum.voters}. */
        @Override
        public String toString() {
            return id + "@" + host + ":" + port;
        }
    }

    public KraftNode {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        voters = List.copyOf(voters);
        Objects.requireNonNull(clusterId, "clusterId");
    }

    /**
     * Parses {@code 1@127.0.0.1:29093,2@127.0.0.1:29094,...}; a malformed entry, a repeated id or an empty list is
     * refused naming the entry and {@code option} (the command-line option or key it came from).
     */
    public static List<Voter> parseVoters(String text, String option) {
        if (text == null || text.isBlank()) {
            throw new EmbeddedKafkaException(option + " is empty: give the controller quorum as id@host:port[,...]");
        }
        List<Voter> voters = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (String entry : text.split(",", -1)) {
            Matcher m = VOTER.matcher(entry.trim());
            if (!m.matches()) {
                throw new EmbeddedKafkaException(option + ": '" + entry.trim() + "' is not id@host:port (e.g. "
                        + "1@127.0.0.1:29093)");
            }
            int id;
            int port;
            try {
                id = Integer.parseInt(m.group(1));
                port = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new EmbeddedKafkaException(option + ": '" + entry.trim() + "' has a number out of range", e);
            }
            if (port < 1 || port > 65_535) {
                throw new EmbeddedKafkaException(option + ": '" + entry.trim() + "' has port " + port
                        + ", not in 1-65535");
            }
            if (!ids.add(id)) {
                throw new EmbeddedKafkaException(option + ": node id " + id + " appears twice in '" + text + "'");
            }
            voters.add(new Voter(id, m.group(2), port));
        }
        return voters;
    }

    /**
     * The cluster id every node of a quorum derives alike from the voter set (sorted by id), so that nodes started
     * with the same quorum form one cluster without a shared secret being passed around; a different quorum is a
     * different cluster.
     */
    public static String clusterIdFor(List<Voter> voters) {
        String canonical = voters.stream().sorted(Comparator.comparingInt(Voter::id)).map(Voter::toString)
                .collect(Collectors.joining(","));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes = ByteBuffer.wrap(digest);
            return new Uuid(bytes.getLong(), bytes.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** Replication defaults for a quorum of n nodes: RF min(n, 3), min ISR 2 once there are three replicas. */
    public static int defaultReplicationFactor(int nodes) {
        return Math.min(nodes, 3);
    }

    public static int defaultMinInsyncReplicas(int nodes) {
        return defaultReplicationFactor(nodes) >= 3 ? 2 : 1;
    }

    /** This node's own voter entry, or an error naming the id and the quorum. */
    Voter self() {
        return voters.stream().filter(v -> v.id() == nodeId).findFirst().orElseThrow(() ->
                new EmbeddedKafkaException("node id " + nodeId + " is not in the controller quorum " + quorum()
                        + ": every mailflow broker is also a controller, give it an entry id@host:port"));
    }

    /** {@code controller.quorum.voters}. */
    String quorum() {
        return voters.stream().map(Voter::toString).collect(Collectors.joining(","));
    }

    /** Checks what does not need Kafka: ports, replication against the quorum's size. */
    void validate() {
        self();
        if (brokerPort < 0 || brokerPort > 65_535) {
            throw new EmbeddedKafkaException("broker port " + brokerPort + " is not in 0-65535");
        }
        if (brokerPort != 0 && brokerPort == self().port()) {
            throw new EmbeddedKafkaException("broker port " + brokerPort + " is also node " + nodeId
                    + "'s controller port in the quorum " + quorum() + ": give them different ports");
        }
        if (replicationFactor < 1 || replicationFactor > voters.size()) {
            throw new EmbeddedKafkaException("replication factor " + replicationFactor + " needs 1-" + voters.size()
                    + " brokers; the quorum " + quorum() + " has " + voters.size());
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new EmbeddedKafkaException("min.insync.replicas " + minInsyncReplicas + " must be 1-"
                    + replicationFactor + " (the replication factor)");
        }
    }
}
