package io.mailflow.kafka.embedded;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one node) running inside this JVM, its data under
 * one directory that survives restarts.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** Ports we pick ourselves can be taken between our probe and Kafka's bind; pick again that many times. */
    private static final int PORT_ATTEMPTS = 3;
    private static final long READY_TIMEOUT_MS = 30_000;
    private static final Pattern BIND_FAILURE = Pattern.compile("bind to [^ ]*:(\\d+)");

    private final KafkaRaftServer server;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final DataDirectory dataDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String host, int port, int controllerPort, DataDirectory dataDir) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker whose logs live under dataDir (formats it on first start; reuses it on later starts so data
     * survives a restart). brokerPort 0 = an ephemeral port. Blocks until the broker answers clients.
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) throws EmbeddedKafkaException {
        return start(dataDir, brokerPort, 0);
    }

    /** As {@link #start(Path, int)}, with the controller on controllerPort (0 = an ephemeral port). */
    static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort) {
        Objects.requireNonNull(dataDir, "dataDir");
        if (brokerPort < 0 || brokerPort > 65_535) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: broker port " + brokerPort
                    + " is not in 0-65535");
        }
        long started = System.nanoTime();
        DataDirectory dir = DataDirectory.prepare(dataDir);
        try {
            return launchWithFreePorts(dir, BrokerProperties.HOST, brokerPort, controllerPort, started,
                    (port, controller) -> BrokerProperties.of(dir, port, controller));
        } catch (RuntimeException e) {
            dir.release();
            throw e;
        }
    }

    /**
     * Starts one node of a KRaft cluster (broker and controller in one), as {@code mailflow broker} does: its
     * controller listens on its own entry of the quorum, its broker on node.brokerPort() (0: any free port). Blocks
     * until the broker answers clients, which needs a majority of the quorum up: start the others alongside.
     * Errors (a bad quorum, a port in use, a data dir of another node or cluster) name what and where.
     */
    public static EmbeddedKafka start(KraftNode node) throws EmbeddedKafkaException {
        Objects.requireNonNull(node, "node");
        node.validate();
        long started = System.nanoTime();
        DataDirectory dir = DataDirectory.prepare(node.dataDir(), node.nodeId(), node.clusterId());
        try {
            return launchWithFreePorts(dir, node.host(), node.brokerPort(), node.self().port(), started,
                    (port, controller) -> BrokerProperties.of(dir, node, port));
        } catch (RuntimeException e) {
            dir.release();
            throw e;
        }
    }

    private interface PropertiesFor {
        java.util.Properties of(int brokerPort, int controllerPort);
    }

    private static EmbeddedKafka launchWithFreePorts(DataDirectory dir, String host, int brokerPort,
            int controllerPort, long started, PropertiesFor properties) {
        for (int attempt = 1; ; attempt++) {
            int port = brokerPort == 0 ? freePort(host, -1) : brokerPort;
            int controller = controllerPort == 0 ? freePort(host, port) : controllerPort;
            try {
                EmbeddedKafka kafka = launch(dir, host, port, controller, properties.of(port, controller));
                LOG.info("embedded Kafka on {} ready in {} ms (data dir {}, cluster {})", kafka.bootstrapServers(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dir.root(), dir.clusterId());
                return kafka;
            } catch (PortTaken taken) {
                boolean ours = taken.port != brokerPort && taken.port != controllerPort;
                if (!ours || attempt == PORT_ATTEMPTS) {
                    throw new EmbeddedKafkaException("cannot start embedded Kafka: " + host + ":"
                            + taken.port + " is already in use", taken.getCause());
                }
                LOG.debug("port {} was taken before Kafka bound it; picking another", taken.port);
            }
        }
    }

    /** Where clients connect: {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The broker's log directory ({@code log.dirs}): one directory per partition, {@code <topic>-<partition>}. */
    public Path logDirectory() {
        return dataDir.logs();
    }

    /** The KRaft controller listener's port: chosen anew on every start. */
    int controllerPort() {
        return controllerPort;
    }

    /** Shuts the broker down cleanly (flushes logs, releases the data dir lock); later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(server);
            dataDir.release();
            LOG.info("embedded Kafka on {} stopped (data dir {})", bootstrapServers(), dataDir.root());
        }
    }

    private static EmbeddedKafka launch(DataDirectory dir, String host, int port, int controllerPort,
            java.util.Properties properties) {
        // Armed through the clean-up too: a failed start must not end the JVM either.
        try (ExitTrap trap = ExitTrap.arm()) {
            KafkaRaftServer server = null;
            try {
                KafkaConfig config = KafkaConfig.fromProps(properties, false);
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                if (trap.sprung()) {
                    throw new EmbeddedKafkaException("cannot start embedded Kafka on " + host + ":"
                            + port + " (data dir " + dir.root() + "): Kafka hit a fatal fault while starting"
                            + " (see its log)");
                }
                awaitAnswers(host, port);
                return new EmbeddedKafka(server, host, port, controllerPort, dir);
            } catch (RuntimeException | Error e) {
                if (server != null) {
                    stop(server);
                }
                if (e instanceof Error error) {
                    throw error;
                }
                throw explain((RuntimeException) e, dir, host, port);
            }
        }
    }

    // startup() returns once the broker is unfenced; a client round trip proves the listener serves requests.
    private static void awaitAnswers(String host, int port) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, host + ":" + port,
                AdminClientConfig.CLIENT_ID_CONFIG, "mailflow-embedded-kafka-ready");
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("cannot start embedded Kafka: interrupted while waiting for it", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: broker on " + host + ":"
                    + port + " did not answer within " + READY_TIMEOUT_MS + " ms ("
                    + EmbeddedKafkaException.reason(e) + ")", e);
        }
    }

    private static void stop(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded Kafka did not shut down cleanly: {}", EmbeddedKafkaException.reason(e), e);
        }
    }

    /** Turns Kafka's startup failure into one line naming what to fix. */
    private static RuntimeException explain(RuntimeException failure, DataDirectory dir, String host, int port) {
        if (failure instanceof EmbeddedKafkaException known) {
            return known;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use")) {
                Matcher m = BIND_FAILURE.matcher(message);
                int taken = m.find() ? Integer.parseInt(m.group(1)) : port;
                return new PortTaken(taken, failure);
            }
            if (message.contains("Failed to acquire lock")) {
                return new EmbeddedKafkaException("cannot start embedded Kafka: data dir " + dir.root()
                        + " is in use by another Kafka broker", failure);
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new EmbeddedKafkaException("cannot start embedded Kafka on " + host + ":" + port
                + " (data dir " + dir.root() + "): " + EmbeddedKafkaException.reason(root), failure);
    }

    // Kafka needs the controller's port before it starts (the voter set names it), and we need the broker's
    // to hand out: probe for free ones; a race with another process is retried in start().
    private static int freePort(String host, int notThis) {
        for (int i = 0; i < 10; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                if (socket.getLocalPort() != notThis) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new EmbeddedKafkaException("cannot start embedded Kafka: no free port on "
                        + host + " (" + EmbeddedKafkaException.reason(e) + ")", e);
            }
        }
        throw new EmbeddedKafkaException("cannot start embedded Kafka: no free port on " + host);
    }

    /** A listener port was taken; start() decides whether to pick another or to report it. */
    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int port;

        PortTaken(int port, Throwable cause) {
            super("port " + port + " is in use", cause, false, false);
            this.port = port;
        }
    }
}
