package io.mailflow.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaFailureIT {
    @TempDir
    Path dataDir;

    @Test
    void busyBrokerPortIsReportedInOneLineAndLeavesNothingBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(dataDir, busy.getLocalPort()));
            assertEquals("cannot start embedded Kafka: 127.0.0.1:" + busy.getLocalPort() + " is already in use",
                    e.getMessage());
            assertOneLine(e);
        }
        assertNoThreadLeftBesides(before);
        // The failed start released the data dir lock: the next start on it succeeds.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertTrue(kafka.port() > 0);
        }
    }

    @Test
    void aBusyControllerPortFailsTheStartWithoutEndingTheJvm() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(dataDir, 0, busy.getLocalPort()));
            assertEquals("cannot start embedded Kafka: 127.0.0.1:" + busy.getLocalPort() + " is already in use",
                    e.getMessage());
        }
        assertNoThreadLeftBesides(before);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertTrue(kafka.port() > 0);
        }
    }

    @Test
    void aSecondBrokerOnADataDirInUseIsRefusedAndTheFirstKeepsServing() throws Exception {
        try (EmbeddedKafka first = EmbeddedKafka.start(dataDir, 0)) {
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(dataDir, 0));
            assertEquals("cannot start embedded Kafka: data dir " + dataDir.toRealPath()
                    + " is in use by another Kafka broker", e.getMessage());
            EmbeddedKafkaIT.createTopic(first.bootstrapServers(), "still.serving.v1");
        }
    }

    @Test
    void aDataDirLockedByAnotherProcessIsRefusedWithoutEndingTheJvm() throws Exception {
        DataDirectory dir = formatted(dataDir);
        Path testClasses = Path.of(LockHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", testClasses.toString(), LockHolder.class.getName(),
                dir.metadata().toString(), dir.logs().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("locked 2", out.readLine());
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(dataDir, 0));
            assertEquals("cannot start embedded Kafka: data dir " + dir.root() + " is in use by another Kafka broker",
                    e.getMessage());
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aDataDirThatIsAFileIsReported() throws Exception {
        Path file = Files.writeString(dataDir.resolve("not-a-dir"), "x");
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(file, 0));
        assertTrue(e.getMessage().startsWith("cannot start embedded Kafka: data dir " + file
                + " is not a writable directory ("), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void aDataDirBelowAFileIsReported() throws Exception {
        Path below = Files.writeString(dataDir.resolve("file"), "x").resolve("kafka");
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(below, 0));
        assertTrue(e.getMessage().startsWith("cannot start embedded Kafka: data dir " + below
                + " is not a writable directory ("), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void logsOfAnotherClusterAreRefused() throws Exception {
        DataDirectory dir = formatted(dataDir);
        editMetaProperties(dir.logs(), "cluster.id", "aaaaaaaaaaaaaaaaaaaaaa");
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(dataDir, 0));
        assertEquals("cannot start embedded Kafka: data dir " + dir.root() + " mixes two clusters: metadata/ belongs"
                + " to cluster " + dir.clusterId() + " but logs/ to cluster aaaaaaaaaaaaaaaaaaaaaa", e.getMessage());
    }

    @Test
    void aHalfFormattedDataDirIsRefusedRatherThanReformatted() throws Exception {
        DataDirectory dir = formatted(dataDir);
        Files.delete(dir.metadata().resolve("meta.properties"));
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(dataDir, 0));
        assertEquals("cannot start embedded Kafka: data dir " + dir.root() + " is half formatted: " + dir.metadata()
                + " has no meta.properties (restore it, or move the data dir away)", e.getMessage());
        assertTrue(Files.exists(dir.logs().resolve("meta.properties")), "the formatted half is left alone");
    }

    @Test
    void aDataDirFormattedForAnotherNodeIsRefused() throws Exception {
        DataDirectory dir = formatted(dataDir);
        editMetaProperties(dir.metadata(), "node.id", "3");
        editMetaProperties(dir.logs(), "node.id", "3");
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(dataDir, 0));
        assertEquals("cannot start embedded Kafka: " + dir.metadata() + " was formatted for node.id 3,"
                + " the embedded broker is node.id 1", e.getMessage());
    }

    @Test
    void aPortOutOfRangeIsReported() {
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class,
                () -> EmbeddedKafka.start(dataDir, 70_000));
        assertEquals("cannot start embedded Kafka: broker port 70000 is not in 0-65535", e.getMessage());
    }

    private static DataDirectory formatted(Path dataDir) {
        DataDirectory dir = DataDirectory.prepare(dataDir);
        dir.release();
        return dir;
    }

    private static void editMetaProperties(Path dir, String key, String value) throws IOException {
        Path file = dir.resolve("meta.properties");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        properties.setProperty(key, value);
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, null);
        }
    }

    private static void assertOneLine(Exception e) {
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private static void assertNoThreadLeftBesides(Set<Thread> before) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> leaked = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !jvmWide(t))
                    .map(Thread::getName).collect(Collectors.toSet());
            assertEquals(Set.of(), leaked);
        });
    }

    // Yammer's Meter class starts one static tick executor per JVM, shared by every broker and never stopped;
    // Awaitility polls on its own thread.
    private static boolean jvmWide(Thread t) {
        return t.getName().startsWith("metrics-meter-tick-thread") || t.getName().startsWith("awaitility");
    }
}
