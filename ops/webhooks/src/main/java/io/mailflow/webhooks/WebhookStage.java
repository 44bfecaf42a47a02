package io.mailflow.webhooks;

import io.mailflow.kafka.KafkaUnavailableException;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.StageStatus;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.Webhook;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebhookStage - one webhook: a {@link StageLoop} on mail.tracking.v1 in the endpoint's own consumer group
 * ({@code mailflow-webhook-<name>}), so an endpoint that is down holds up nothing but itself — not another endpoint,
 * and never mail (no mail stage reads what it writes or waits for it). Each record becomes its notifications
 * ({@link TrackingNotifications}, filtered by the webhook's events) and completes when all are settled by the
 * {@link WebhookEndpoint}; the loop commits an offset only then, so a crash or restart sends again (same ids) what
 * was not answered. The loop's window (2,000 records per partition) bounds memory: a partition whose window is full
 * is paused, and the rest of the backlog stays in Kafka.
 *
 * <p>A new endpoint (a group with no committed offset) starts at the end of mail.tracking.v1: it is told of what
 * happens from then on, not of the topic's whole history.
 */
public final class WebhookStage implements AutoCloseable {
  static final String GROUP_PREFIX = "mailflow-webhook-";
  /** Past maxRetryTime, an attempt may still be in flight (timeout) or wait for a probe (backoff cap). */
  static final Duration SETTLE_MARGIN = Duration.ofMinutes(10);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(WebhookStage.class);

  private final Webhook config;
  private final WebhookEndpoint endpoint;
  private final TopicPublisher poison;
  private final StageLoop<TrackingEvent> loop;

  private WebhookStage(Webhook config, WebhookEndpoint endpoint, TopicPublisher poison, StageLoop<TrackingEvent> loop) {
    this.config = config;
    this.endpoint = endpoint;
    this.poison = poison;
    this.loop = loop;
  }

  /** The consumer group of webhook {@code name}. */
  public static String groupId(String name) {
    return GROUP_PREFIX + name;
  }

  static WebhookStage start(String bootstrap, Webhook config, StageLoop.Options base, boolean subjectLogging,
      ScheduledExecutorService timer, WebhookEndpoint.Options endpointOptions) {
    String group = groupId(config.name());
    String stage = "webhook-" + config.name();
    startAtEndIfNew(bootstrap, group);
    TrackingNotifications notifications = new TrackingNotifications(subjectLogging);
    WebhookEndpoint endpoint = new WebhookEndpoint(config, timer, base.meters(), endpointOptions);
    TopicPublisher poison = TopicPublisher.create(bootstrap, group + "-poison", stage, base.meters());
    // a record is done when its notifications are settled: that may take maxRetryTime, and is no failure
    Duration processing = config.maxRetryTime().plus(config.timeout()).plus(SETTLE_MARGIN);
    StageLoop.Options options = new StageLoop.Options(base.poisonThreshold(), base.retryBackoff(), processing,
        base.maxPollRecords(), base.meters(), base.instanceId(), null, base.stopGroup());
    try {
      StageLoop<TrackingEvent> loop = StageLoop.start(stage, bootstrap, group, Topics.TRACKING,
          (key, event, origin) -> process(config, notifications, endpoint, event, origin), poison, options);
      return new WebhookStage(config, endpoint, poison, loop);
    } catch (RuntimeException e) {
      endpoint.close();
      poison.close();
      throw e;
    }
  }

  private static CompletionStage<?> process(Webhook config, TrackingNotifications notifications,
      WebhookEndpoint endpoint, TrackingEvent event, RecordOrigin origin) {
    List<Notification> wanted = notifications.of(event, origin).stream()
        .filter(n -> config.events().contains(n.event())).toList();
    if (wanted.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(wanted.stream().map(endpoint::deliver).toArray(CompletableFuture[]::new));
  }

  /**
   * A group that has committed nothing yet is given the end of every partition of mail.tracking.v1 (while it has no
   * member, before its loop joins). Two nodes doing this at once both write the end: no harm.
   */
  static void startAtEndIfNew(String bootstrap, String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) STARTUP_TIMEOUT.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) STARTUP_TIMEOUT.toMillis());
    String topic = Topics.TRACKING.name();
    try (Admin admin = Admin.create(config)) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!committed.isEmpty()) {
        return;
      }
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicPartitionInfo p : description.partitions()) {
        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
      admin.listOffsets(latest).all().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((p, info) -> ends.put(p, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, ends).all().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info("{}: new consumer group, starting at the end of {}", group, topic);
    } catch (ExecutionException e) {
      throw new KafkaUnavailableException("webhooks: cannot set the start of consumer group " + group + " on " + topic
          + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException("webhooks: Kafka did not answer within " + STARTUP_TIMEOUT.toSeconds()
          + " s while setting the start of consumer group " + group, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public String name() {
    return config.name();
  }

  /** For the node's readiness check and fatal-stop watch. */
  public StageStatus status() {
    return loop;
  }

  /** Notifications read and not yet settled. */
  public int pending() {
    return endpoint.pending();
  }

  /** Stops reading (what is in flight gets {@link StageLoop#CLOSE_GRACE} to settle), then stops sending. */
  @Override
  public void close() {
    loop.close();
    endpoint.close();
    poison.close();
  }
}
