package io.mailflow.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * TopicProvisioner - creates mailflow's topics that are missing, with partition counts from config.
 *
 * <p>Existing topics are left as they are (an operator may have tuned them). Queue topics keep records
 * for two days past delivery so replay can re-submit them (Safety Net).
 */
public final class TopicProvisioner {
  /** Exchange's Safety Net hold time and our retention for queue topics. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(2);

  /** Bodies outlive the messages pointing at them: expiry (2 days) plus the Safety Net (2 days). */
  public static final Duration BODIES_RETENTION = Duration.ofDays(4);

  private TopicProvisioner() {}

  /**
   * Creates every topic in {@link Topics#all()} that does not exist yet.
   *
   * @throws KafkaUnavailableException naming the bootstrap servers when Kafka does not answer in time
   */
  public static void ensureTopics(String bootstrapServers, int partitions, short replicationFactor, Duration timeout) {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?> topic : Topics.all()) {
        if (!existing.contains(topic.name())) {
          missing.add(new NewTopic(topic.name(), partitions, replicationFactor).configs(configFor(topic)));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // Another instance of a role may create the same topics at the same moment.
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException(
          "cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new KafkaUnavailableException(
            "cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds() + " s", e);
      }
      throw new KafkaUnavailableException(
          "Kafka at " + bootstrapServers + " refused to create mailflow topics: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while creating topics on " + bootstrapServers, e);
    }
  }

  private static Map<String, String> configFor(Topic<?> topic) {
    Map<String, String> c = new HashMap<>();
    switch (topic.kind()) {
      case COMPACTED -> c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      case QUEUE, EVENTS -> c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(DEFAULT_RETENTION.toMillis()));
      case BODIES -> c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(BODIES_RETENTION.toMillis()));
    }
    // Inline bodies can be large; the broker must accept what the producer may send.
    c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
    return c;
  }
}
