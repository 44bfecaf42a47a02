package io.mailflow.organization;

/**
 * KafkaTopics - how mailflow's topics are created when missing.
 *
 * @param partitions partitions per queue topic; the most instances of one role that can share work
 * @param replicationFactor replicas per partition (production: 3; one broker: 1)
 */
public record KafkaTopics(int partitions, short replicationFactor) {
  public static final int DEFAULT_PARTITIONS = 6;
  public static final short DEFAULT_REPLICATION_FACTOR = 1;

  public static KafkaTopics defaults() {
    return new KafkaTopics(DEFAULT_PARTITIONS, DEFAULT_REPLICATION_FACTOR);
  }
}
