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
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * TopicProvisioner - creates mailflow's topics that are missing, with partition counts from config.
 *
 * <p>Queue topics keep records for two days past delivery so replay can re-submit them (Safety Net); existing
 * ones are left as they are (an operator may have tuned them). The event streams (tracking, protocol log, and their
 * JSON twins when a format is Both) follow the organization's log limits ({@link EventStreamTopics}): at creation,
 * and at every start an existing one whose retention.ms or retention.bytes differs is altered to them
 * (incrementalAlterConfigs), logged as one INFO line; a cluster that refuses (no permission) gets one WARN line
 * naming the topic, the settings and the cause, and the start goes on.
 */
public final class TopicProvisioner {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  /** Exchange's Safety Net hold time and our retention for queue topics. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(2);

  /** Bodies outlive the messages pointing at them: expiry (2 days) plus the Safety Net (2 days). */
  public static final Duration BODIES_RETENTION = Duration.ofDays(4);

  /**
   * How long mail.bodies.v1 keeps a body so that it outlives every record referring to it: a copy may be retried
   * until {@code messageExpirationTimeout}, then replayed from the Safety Net for {@link #DEFAULT_RETENTION}; never
   * less than {@link #BODIES_RETENTION}.
   */
  public static Duration bodiesRetention(Duration messageExpirationTimeout) {
    Duration needed = messageExpirationTimeout.plus(DEFAULT_RETENTION);
    return needed.compareTo(BODIES_RETENTION) > 0 ? needed : BODIES_RETENTION;
  }

  private TopicProvisioner() {}

  /**
   * Creates every topic in {@link Topics#all()} that does not exist yet; the event streams with Exchange's default
   * log limits, as JSON ({@link EventStreamTopics#defaults()}).
   *
   * @throws KafkaUnavailableException naming the bootstrap servers when Kafka does not answer in time
   */
  public static void ensureTopics(String bootstrapServers, int partitions, short replicationFactor, Duration timeout) {
    ensureTopics(bootstrapServers, partitions, replicationFactor, timeout, EventStreamTopics.defaults());
  }

  /**
   * Creates every topic in {@link Topics#all()} that does not exist yet, and the JSON twins {@code events} asks for;
   * the event streams get {@code events}' retention, and an existing one whose retention differs is altered to it.
   *
   * @return the lines logged about the event streams' retention (INFO for each change, WARN for each refusal)
   * @throws KafkaUnavailableException naming the bootstrap servers when Kafka does not answer in time
   */
  public static List<String> ensureTopics(String bootstrapServers, int partitions, short replicationFactor,
      Duration timeout, EventStreamTopics events) {
    return ensureTopics(bootstrapServers, partitions, replicationFactor, timeout, events, BODIES_RETENTION);
  }

  /**
   * As above; mail.bodies.v1, when created, keeps records {@code bodiesRetention} ({@link #bodiesRetention}: past
   * the longest a referring copy may be retried and replayed).
   */
  public static List<String> ensureTopics(String bootstrapServers, int partitions, short replicationFactor,
      Duration timeout, EventStreamTopics events, Duration bodiesRetention) {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<Topic<?>> wanted = new ArrayList<>(Topics.all());
      wanted.addAll(events.encoding().twins());
      List<NewTopic> missing = new ArrayList<>();
      List<String> existingEventTopics = new ArrayList<>();
      for (Topic<?> topic : wanted) {
        if (!existing.contains(topic.name())) {
          missing.add(new NewTopic(topic.name(), partitions, replicationFactor)
              .configs(configFor(topic, events, partitions, bodiesRetention)));
        } else if (events.retentionOf(topic.name()) != null) {
          existingEventTopics.add(topic.name());
        }
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          // Another instance of a role may create the same topics at the same moment.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      return applyRetention(admin, existingEventTopics, events, timeout);
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

  /**
   * Alters each of {@code topics} (existing event streams) whose retention.ms or retention.bytes differs from
   * {@code events}': one INFO line per topic changed, one WARN per topic the cluster would not describe or alter.
   */
  static List<String> applyRetention(Admin admin, List<String> topics, EventStreamTopics events, Duration timeout)
      throws InterruptedException {
    List<String> lines = new ArrayList<>();
    for (String topic : topics) {
      EventStreamTopics.Retention retention = events.retentionOf(topic);
      if (retention == null) {
        continue; // not an event stream: an operator's topic settings are theirs
      }
      int partitions = 1;
      Map<String, String> want = retention.config(partitions);
      try {
        partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic).partitions().size();
        want = retention.config(partitions);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config current = admin.describeConfigs(List.of(resource)).all()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
        List<AlterConfigOp> ops = new ArrayList<>();
        StringBuilder changes = new StringBuilder();
        for (Map.Entry<String, String> e : want.entrySet()) {
          ConfigEntry entry = current.get(e.getKey());
          String now = entry == null ? null : entry.value();
          if (!e.getValue().equals(now)) {
            ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET));
            changes.append(changes.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(now).append(" -> ")
                .append(e.getValue()).append(" (").append(retention.because(e.getKey(), partitions)).append(')');
          }
        }
        if (ops.isEmpty()) {
          continue;
        }
        admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        String line = topic + ": " + changes;
        log.info(line);
        lines.add("INFO " + line);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        String line = topic + ": cannot set " + want.entrySet().stream().map(w -> w.getKey() + " " + w.getValue())
            .collect(Collectors.joining(", ")) + " (" + retention.ageSetting() + ", " + retention.sizeSetting()
            + "): " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "; it keeps its retention";
        log.warn(line);
        lines.add("WARN " + line);
      }
    }
    return lines;
  }

  private static Map<String, String> configFor(Topic<?> topic, EventStreamTopics events, int partitions,
      Duration bodiesRetention) {
    Map<String, String> c = new HashMap<>();
    EventStreamTopics.Retention retention = events.retentionOf(topic.name());
    if (retention != null) {
      c.putAll(retention.config(partitions));
      c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
      return c;
    }
    switch (topic.kind()) {
      case COMPACTED -> c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      case QUEUE, EVENTS -> c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(DEFAULT_RETENTION.toMillis()));
      case BODIES -> c.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(bodiesRetention.toMillis()));
    }
    // Inline bodies can be large; the broker must accept what the producer may send.
    c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
    return c;
  }
}
