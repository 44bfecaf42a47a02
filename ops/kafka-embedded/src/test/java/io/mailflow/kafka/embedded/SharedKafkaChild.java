package io.mailflow.kafka.embedded;

/** A JVM that uses the shared broker and exits, as a test fork does: proves the shutdown hook cleans up. */
public final class SharedKafkaChild {
    private SharedKafkaChild() {
    }

    public static void main(String[] args) {
        System.out.println(SharedKafka.bootstrapServers());
        System.out.println(SharedKafka.dataDir());
        System.out.flush();
        System.exit(0);
    }
}
