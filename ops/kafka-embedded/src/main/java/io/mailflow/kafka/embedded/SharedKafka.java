package io.mailflow.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** One broker per JVM for tests of every module: lazily started in a temp dir, stopped by a shutdown hook. */
public final class SharedKafka {
    private static EmbeddedKafka broker;
    private static Path dataDir;

    private SharedKafka() {
    }

    /** Starts the JVM's shared broker on first call; every call returns its {@code 127.0.0.1:<port>}. */
    public static synchronized String bootstrapServers() {
        if (broker == null) {
            Path dir = createTempDir();
            try {
                broker = EmbeddedKafka.start(dir, 0);
                dataDir = dir;
            } catch (RuntimeException e) {
                deleteQuietly(dir);
                throw e;
            }
            EmbeddedKafka started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteQuietly(dir);
            }, "mailflow-shared-kafka-stop"));
        }
        return broker.bootstrapServers();
    }

    /** The shared broker's temp dir, or null before the first {@link #bootstrapServers()}. */
    static synchronized Path dataDir() {
        return dataDir;
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("mailflow-shared-kafka-");
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot start embedded Kafka: cannot create a temp dir ("
                    + EmbeddedKafkaException.reason(e) + ")", e);
        }
    }

    // A test run's broker data is worthless afterwards; leaving it would fill /tmp run after run.
    private static void deleteQuietly(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort at JVM exit: nothing useful to do with the failure
        }
    }
}
