package io.mailflow.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three {@link KraftNode}s on loopback form one cluster, as three `mailflow broker` processes would. */
class KraftClusterIT {
    @TempDir
    Path work;

    @Test
    void threeNodesFormAQuorumAndATopicWithRf3MinIsr2SurvivesOneNodeStopping() throws Exception {
        List<KraftNode.Voter> voters = List.of(voter(1), voter(2), voter(3));
        String cluster = KraftNode.clusterIdFor(voters);
        List<KraftNode> nodes = new ArrayList<>();
        for (KraftNode.Voter v : voters) {
            nodes.add(new KraftNode(v.id(), "127.0.0.1", 0, voters, work.resolve("node-" + v.id()), cluster,
                    KraftNode.defaultReplicationFactor(3), KraftNode.defaultMinInsyncReplicas(3)));
        }
        List<EmbeddedKafka> brokers = startAll(nodes);
        try {
            String bootstrap = brokers.stream().map(EmbeddedKafka::bootstrapServers).collect(Collectors.joining(","));
            String topic = "drill-" + UUID.randomUUID();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertEquals(3, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(), "three brokers");
                // no replication given: the cluster's defaults (RF 3, min ISR 2) apply
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get(30, TimeUnit.SECONDS);
                TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                assertEquals(3, described.partitions().get(0).replicas().size(), "replication factor 3");
                String minIsr = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all()
                        .get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value();
                assertEquals("2", minIsr);
            }
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);
                // the partition's leader goes: the other two still make min ISR 2, and acks=all succeeds
                int leader = producer.partitionsFor(topic).get(0).leader().id();
                brokers.get(leader - 1).close();
                producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);
            }
            assertEquals(List.of("before", "after"), readAll(bootstrap, topic, 2));
        } finally {
            closeAll(brokers);
        }
    }

    @Test
    void aDataDirOfAnotherClusterIsRefusedNamingTheDirAndBothClusters() throws Exception {
        List<KraftNode.Voter> alone = List.of(voter(1));
        Path dir = work.resolve("node-1");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(new KraftNode(1, "127.0.0.1", 0, alone, dir,
                KraftNode.clusterIdFor(alone), 1, 1))) {
            assertTrue(kafka.port() > 0);
        }
        List<KraftNode.Voter> other = List.of(voter(1), voter(2), voter(3));
        EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(
                new KraftNode(1, "127.0.0.1", 0, other, dir, KraftNode.clusterIdFor(other), 3, 2)));
        assertEquals("cannot start Kafka node 1: data dir " + dir.toRealPath() + " belongs to cluster "
                + KraftNode.clusterIdFor(alone) + ", not to cluster " + KraftNode.clusterIdFor(other)
                + " (another quorum or --cluster-id formatted it; give this node its own data dir)", e.getMessage());
    }

    @Test
    void aControllerPortInUseIsNamed() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            List<KraftNode.Voter> voters = List.of(new KraftNode.Voter(1, "127.0.0.1", busy.getLocalPort()));
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(
                    new KraftNode(1, "127.0.0.1", 0, voters, work.resolve("busy"), "x", 1, 1)));
            assertEquals("cannot start embedded Kafka: 127.0.0.1:" + busy.getLocalPort() + " is already in use",
                    e.getMessage());
        }
    }

    @Test
    void badQuorumsAndReplicationAreRefusedNamingTheOptionAndEntry() {
        assertEquals("--controller-quorum: '1@127.0.0.1' is not id@host:port (e.g. 1@127.0.0.1:29093)",
                assertThrows(EmbeddedKafkaException.class,
                        () -> KraftNode.parseVoters("1@127.0.0.1", "--controller-quorum")).getMessage());
        assertEquals("--controller-quorum: 'one@127.0.0.1:9093' is not id@host:port (e.g. 1@127.0.0.1:29093)",
                assertThrows(EmbeddedKafkaException.class,
                        () -> KraftNode.parseVoters("one@127.0.0.1:9093", "--controller-quorum")).getMessage());
        assertEquals("--controller-quorum: '2@h:70000' has port 70000, not in 1-65535",
                assertThrows(EmbeddedKafkaException.class,
                        () -> KraftNode.parseVoters("1@h:1,2@h:70000", "--controller-quorum")).getMessage());
        assertEquals("--controller-quorum: node id 1 appears twice in '1@h:1,1@h:2'",
                assertThrows(EmbeddedKafkaException.class,
                        () -> KraftNode.parseVoters("1@h:1,1@h:2", "--controller-quorum")).getMessage());
        assertEquals(List.of(new KraftNode.Voter(1, "h", 1), new KraftNode.Voter(2, "[::1]", 2)),
                KraftNode.parseVoters("1@h:1, 2@[::1]:2", "--controller-quorum"));

        List<KraftNode.Voter> voters = List.of(new KraftNode.Voter(1, "127.0.0.1", 9093));
        assertEquals("node id 4 is not in the controller quorum 1@127.0.0.1:9093: every mailflow broker is also a "
                + "controller, give it an entry id@host:port", assertThrows(EmbeddedKafkaException.class,
                () -> EmbeddedKafka.start(new KraftNode(4, "127.0.0.1", 0, voters, work, "x", 1, 1))).getMessage());
        assertEquals("replication factor 3 needs 1-1 brokers; the quorum 1@127.0.0.1:9093 has 1",
                assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(
                        new KraftNode(1, "127.0.0.1", 0, voters, work, "x", 3, 2))).getMessage());
        assertEquals("broker port 9093 is also node 1's controller port in the quorum 1@127.0.0.1:9093: give them "
                + "different ports", assertThrows(EmbeddedKafkaException.class, () -> EmbeddedKafka.start(
                        new KraftNode(1, "127.0.0.1", 9093, voters, work, "x", 1, 1))).getMessage());
    }

    @Test
    void theClusterIdIsTheSameForTheSameQuorumInAnyOrder() {
        String a = KraftNode.clusterIdFor(KraftNode.parseVoters("1@h:1,2@h:2,3@h:3", "q"));
        assertEquals(a, KraftNode.clusterIdFor(KraftNode.parseVoters("3@h:3,1@h:1,2@h:2", "q")));
        assertTrue(!a.equals(KraftNode.clusterIdFor(KraftNode.parseVoters("1@h:1,2@h:2,3@h:4", "q"))));
    }

    private static List<EmbeddedKafka> startAll(List<KraftNode> nodes) throws Exception {
        // each start blocks until a majority of the quorum is up: start them side by side
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<EmbeddedKafka>> started = new ArrayList<>();
            for (KraftNode node : nodes) {
                started.add(pool.submit(() -> EmbeddedKafka.start(node)));
            }
            List<EmbeddedKafka> brokers = new ArrayList<>();
            for (Future<EmbeddedKafka> f : started) {
                brokers.add(f.get(120, TimeUnit.SECONDS));
            }
            return brokers;
        } finally {
            pool.shutdownNow();
        }
    }

    // Side by side too: a node closed after the others has no quorum left to approve its controlled shutdown
    // and waits out Kafka's timeouts (5 minutes). On a busy machine one may still start late and lose the race; what
    // is tested here is the cluster's data path, not its teardown, so a close still running once every other node
    // has stopped (no quorum can approve it any more) is given 10 s more and then left to finish on its own (daemon
    // threads) rather than fail the test or hold the run for a minute.
    private static void closeAll(List<EmbeddedKafka> brokers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(brokers.size(), r -> {
            Thread t = new Thread(r, "kraft-cluster-it-close");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> closing = new ArrayList<>();
        for (EmbeddedKafka broker : brokers) {
            closing.add(pool.submit(broker::close));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long othersDone = Long.MAX_VALUE;
        while (true) {
            long running = closing.stream().filter(f -> !f.isDone()).count();
            if (running == 0) {
                break;
            }
            if (running == 1 && othersDone == Long.MAX_VALUE) {
                othersDone = System.nanoTime();
            }
            long now = System.nanoTime();
            if (now > deadline || (othersDone != Long.MAX_VALUE && now - othersDone > TimeUnit.SECONDS.toNanos(10))) {
                System.err.println("KraftClusterIT: a node is still shutting down after the others stopped (no quorum "
                        + "left); leaving it to finish");
                break;
            }
            Thread.sleep(50);
        }
        for (Future<?> f : closing) {
            if (f.isDone()) {
                f.get(); // a close that failed is still a failure
            }
        }
        pool.shutdown();
    }

    private static KraftNode.Voter voter(int id) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return new KraftNode.Voter(id, "127.0.0.1", socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String bootstrap, String topic, int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            return values;
        }
    }
}
