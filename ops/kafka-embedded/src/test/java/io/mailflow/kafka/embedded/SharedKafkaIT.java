package io.mailflow.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedKafkaIT {
    @Test
    void everyCallReturnsTheSameRunningBroker() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        assertEquals(bootstrap, SharedKafka.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
        }
    }

    @Test
    void producingToAMisspeltTopicFailsInsteadOfCreatingIt() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("mail.submision.v1", "k", "v")).get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("mail.submision.v1"));
        }
    }

    @Test
    void aPrivateBrokerRunsBesideTheSharedOneAndStopsWithoutDisturbingIt(@TempDir Path dataDir) throws Exception {
        String shared = SharedKafka.bootstrapServers();
        try (EmbeddedKafka own = EmbeddedKafka.start(dataDir, 0)) {
            EmbeddedKafkaIT.createTopic(own.bootstrapServers(), "own.topic.v1");
            assertFalse(topics(shared).contains("own.topic.v1"), "the two brokers are separate clusters");
        }
        EmbeddedKafkaIT.createTopic(shared, "shared.after.own.v1");
        assertTrue(topics(shared).contains("shared.after.own.v1"));
    }

    private static Set<String> topics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aJvmThatExitsStopsTheSharedBrokerAndDeletesItsTempDir() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SharedKafkaChild.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertTrue(out.readLine().startsWith("127.0.0.1:"));
            Path dataDir = Path.of(out.readLine());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM exits");
            assertEquals(0, child.exitValue());
            assertFalse(Files.exists(dataDir), dataDir + " is deleted");
        } finally {
            child.destroyForcibly();
        }
    }
}
