package io.mailflow.edge.server;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * SubmissionBacklog - Exchange's QueueLength[SubmissionQueue] on Kafka: the records on the submission topic that the
 * categorizer's consumer group has not committed yet (a partition it never committed counts from its earliest
 * record). Offsets count, not messages: the edge writes in transactions, and each transaction's commit marker takes
 * an offset too, so a backlog of messages written one per transaction (a quiet edge) reads up to twice its size;
 * under load a transaction carries many messages and the difference vanishes. Exchange's thresholds are in
 * thousands, where that matters little. Read with its own Admin client, on the back pressure thread; a read that fails or takes longer than
 * the timeout throws, saying which, and the resource keeps its level.
 */
public final class SubmissionBacklog implements BackPressure.ResourceReader, AutoCloseable {
  private final Admin admin;
  private final String groupId;
  private final String topic;
  private final Duration timeout;
  private final String bootstrap;

  /**
   * @param groupId the categorizer's consumer group ({@code mailflow-categorizer})
   * @param topic the submission topic ({@code mail.submission.v1})
   * @param timeout how long one read may take (below the metering interval is best)
   */
  public SubmissionBacklog(String bootstrap, String clientId, String groupId, String topic, Duration timeout) {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    // one read must end well before the next is due; a broker that does not answer is reported, not waited for
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.admin = Admin.create(config);
    this.groupId = groupId;
    this.topic = topic;
    this.timeout = timeout;
    this.bootstrap = bootstrap;
  }

  @Override
  public long read() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = await(
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "the offsets of " + groupId);
    TopicDescription description = await(admin.describeTopics(List.of(topic)).allTopicNames(),
        "the partitions of " + topic).get(topic);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    description.partitions().forEach(p -> {
      TopicPartition tp = new TopicPartition(topic, p.partition());
      latest.put(tp, OffsetSpec.latest());
      if (committed.get(tp) == null) {
        earliest.put(tp, OffsetSpec.earliest());
      }
    });
    Map<TopicPartition, ListOffsetsResultInfo> ends = await(admin.listOffsets(latest).all(), "the end offsets of "
        + topic);
    Map<TopicPartition, ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
        : await(admin.listOffsets(earliest).all(), "the start offsets of " + topic);
    long backlog = 0;
    for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
      OffsetAndMetadata done = committed.get(end.getKey());
      long from = done != null ? done.offset() : starts.get(end.getKey()).offset();
      backlog += Math.max(0, end.getValue().offset() - from);
    }
    return backlog;
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) throws InterruptedException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrap + " did not answer " + what + " within "
          + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("reading " + what + " at " + bootstrap + " failed: " + e.getCause(), e);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "the submission backlog reader (" + groupId + " on " + topic + ")";
  }
}
