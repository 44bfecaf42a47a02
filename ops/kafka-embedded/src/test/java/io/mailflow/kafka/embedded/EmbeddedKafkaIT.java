package io.mailflow.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {
    private static final String TOPIC = "mail.submission.v1";

    @TempDir
    Path dataDir;

    @Test
    void recordsAcknowledgedBeforeARestartAreReadAfterItEvenWithNewPorts() throws Exception {
        int firstPort;
        int firstControllerPort;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            firstPort = kafka.port();
            firstControllerPort = kafka.controllerPort();
            assertEquals("127.0.0.1:" + kafka.port(), kafka.bootstrapServers());
            createTopic(kafka.bootstrapServers(), TOPIC);
            produce(kafka.bootstrapServers(), List.of("one", "two", "three"));
        }

        int otherBroker = freePortOtherThan(firstPort, firstControllerPort);
        int otherController = freePortOtherThan(firstPort, firstControllerPort, otherBroker);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, otherBroker, otherController)) {
            assertEquals(otherBroker, kafka.port());
            assertNotEquals(firstControllerPort, kafka.controllerPort());
            assertEquals(List.of("one", "two", "three"), consume(kafka.bootstrapServers(), 3));
        }
    }

    @Test
    void closeFreesTheBrokerPortAndASecondCloseIsHarmless() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
        kafka.close();
        kafka.close();
        try (ServerSocket again = new ServerSocket(kafka.port(), 1,
                InetAddress.getByName("127.0.0.1"))) {
            assertEquals(kafka.port(), again.getLocalPort());
        }
    }

    static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(String bootstrap, List<String> values) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(TOPIC, value, value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consume(String bootstrap, int count) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "restart-check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(TOPIC));
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    static int freePortOtherThan(int... taken) throws Exception {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1,
                    InetAddress.getByName("127.0.0.1"))) {
                int port = socket.getLocalPort();
                if (Arrays.stream(taken).noneMatch(t -> t == port)) {
                    return port;
                }
            }
        }
    }
}
