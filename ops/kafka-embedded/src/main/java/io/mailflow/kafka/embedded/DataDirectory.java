package io.mailflow.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's storage under one data dir: {@code metadata/} holds the KRaft metadata log, {@code logs/} the topic
 * partitions. Formats both on first use and refuses a dir whose two halves do not belong together.
 */
final class DataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    private static final String META_PROPERTIES = "meta.properties";
    /**
     * Data dirs of this JVM's brokers. Kafka's .lock file is not enough inside one JVM: a second broker's failed
     * attempt closes its handle on the lock file, and POSIX record locks then drop the first broker's lock too.
     */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Path metadata;
    private final Path logs;
    private final String clusterId;

    private DataDirectory(Path root, String clusterId) {
        this.root = root;
        this.metadata = metadataDir(root);
        this.logs = logsDir(root);
        this.clusterId = clusterId;
    }

    /**
     * Makes dataDir usable and claims it for this JVM: creates it, checks it is writable, formats it the first time,
     * validates it afterwards. The caller releases it when its broker stops.
     */
    static DataDirectory prepare(Path dataDir) {
        return prepare(dataDir, BrokerProperties.NODE_ID, null);
    }

    /**
     * As {@link #prepare(Path)} for node {@code nodeId} of cluster {@code clusterId} (null: any, a fresh one when
     * formatting): a dir formatted for another node or another cluster is refused, naming both.
     */
    static DataDirectory prepare(Path dataDir, int nodeId, String clusterId) {
        Path root = ensureWritable(dataDir.toAbsolutePath().normalize());
        if (!IN_USE.add(root)) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: data dir " + root
                    + " is in use by another Kafka broker");
        }
        try {
            Properties meta = readMetaProperties(metadataDir(root));
            Properties logs = readMetaProperties(logsDir(root));
            if (meta == null && logs == null) {
                return format(root, nodeId, clusterId == null ? Uuid.randomUuid().toString() : clusterId);
            }
            DataDirectory valid = validate(root, meta, logs, nodeId);
            if (clusterId != null && !clusterId.equals(valid.clusterId)) {
                throw new EmbeddedKafkaException("cannot start Kafka node " + nodeId + ": data dir " + root
                        + " belongs to cluster " + valid.clusterId + ", not to cluster " + clusterId
                        + " (another quorum or --cluster-id formatted it; give this node its own data dir)");
            }
            return valid;
        } catch (RuntimeException e) {
            IN_USE.remove(root);
            throw e;
        }
    }

    /** Gives the data dir back: another broker of this JVM may now start on it. */
    void release() {
        IN_USE.remove(root);
    }

    Path root() {
        return root;
    }

    Path metadata() {
        return metadata;
    }

    Path logs() {
        return logs;
    }

    String clusterId() {
        return clusterId;
    }

    private static Path metadataDir(Path root) {
        return root.resolve("metadata");
    }

    private static Path logsDir(Path root) {
        return root.resolve("logs");
    }

    // Checked up front because Kafka reports an unwritable log dir as an offline dir deep inside startup.
    private static Path ensureWritable(Path root) {
        try {
            Files.createDirectories(metadataDir(root));
            Files.createDirectories(logsDir(root));
            Path probe = Files.createTempFile(root, ".write-probe", ".tmp");
            Files.delete(probe);
            return root.toRealPath();
        } catch (IOException | SecurityException e) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: data dir " + root
                    + " is not a writable directory (" + EmbeddedKafkaException.reason(e) + ")", e);
        }
    }

    // Read by hand rather than through Kafka's MetaPropertiesEnsemble: its types live in kafka-server-common,
    // which Kafka's pom gives us only at run time. The file is a plain properties file Kafka documents.
    private static Properties readMetaProperties(Path dir) {
        Path file = dir.resolve(META_PROPERTIES);
        if (!Files.exists(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
            return properties;
        } catch (IOException | IllegalArgumentException e) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: cannot read " + file
                    + " (" + EmbeddedKafkaException.reason(e) + ")", e);
        }
    }

    private static DataDirectory format(Path root, int nodeId, String clusterId) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setClusterId(clusterId)
                    .setNodeId(nodeId)
                    .setControllerListenerName(BrokerProperties.CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(metadataDir(root).toString())
                    .setDirectories(List.of(metadataDir(root).toString(), logsDir(root).toString()))
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: formatting data dir " + root
                    + " failed (" + EmbeddedKafkaException.reason(e) + ")", e);
        }
        LOG.debug("formatted {} for cluster {}: {}", root, clusterId, output.toString(StandardCharsets.UTF_8).trim());
        return new DataDirectory(root, clusterId);
    }

    // Formatting only the missing half would start a broker whose metadata no longer matches its logs:
    // Kafka then treats the partitions it does not know as strays. Refuse and let a person decide.
    private static DataDirectory validate(Path root, Properties meta, Properties logs, int nodeId) {
        if (meta == null || logs == null) {
            Path missing = meta == null ? metadataDir(root) : logsDir(root);
            throw new EmbeddedKafkaException("cannot start embedded Kafka: data dir " + root
                    + " is half formatted: " + missing + " has no " + META_PROPERTIES
                    + " (restore it, or move the data dir away)");
        }
        String metaCluster = meta.getProperty("cluster.id");
        String logsCluster = logs.getProperty("cluster.id");
        if (metaCluster == null || !metaCluster.equals(logsCluster)) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: data dir " + root
                    + " mixes two clusters: metadata/ belongs to cluster " + metaCluster
                    + " but logs/ to cluster " + logsCluster);
        }
        checkNodeId(metadataDir(root), meta, nodeId);
        checkNodeId(logsDir(root), logs, nodeId);
        return new DataDirectory(root, metaCluster);
    }

    private static void checkNodeId(Path dir, Properties properties, int expected) {
        String nodeId = properties.getProperty("node.id");
        if (!Objects.equals(nodeId, String.valueOf(expected))) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: " + dir + " was formatted for node.id "
                    + nodeId + ", the embedded broker is node.id " + expected);
        }
    }
}
