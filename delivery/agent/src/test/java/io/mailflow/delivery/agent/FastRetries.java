package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.Topic;
import io.mailflow.schemas.avro.DeliveryItem;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;

/**
 * FastRetries - delivery options for integration tests: Exchange's retry schedule shape (4 glitch, 6
 * transient, then the long interval) with every interval shrunk to 300 ms, and short SMTP timeouts.
 */
final class FastRetries {
  private FastRetries() {}

  static DeliveryStage.Options options() {
    Duration shrunk = Duration.ofMillis(300);
    return DeliveryStage.Options.defaults()
        .withRetrySchedule(new RetrySchedule(4, shrunk, 6, shrunk, shrunk, shrunk, Duration.ofHours(4),
            Duration.ofDays(2)))
        .withSmtp(new SmtpClientOptions().setReplyTimeout(Duration.ofSeconds(5))
            .setConnectTimeout(Duration.ofSeconds(5)))
        .withLoop(StageLoop.Options.defaults().withRetryBackoff(Duration.ofMillis(100)));
  }

  /**
   * Empties the shared delay topics. A delay topic is read in order, which in production is due order (one
   * delay per topic); in a test JVM a class on Exchange's real schedule leaves copies due in a minute at the
   * head of mail.retry.1m.v1, and a later class's 300 ms retries would wait behind them. Classes that leave
   * such copies call this when they end, classes that time the delay path call it when they start.
   */
  static void emptyDelayTopics(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<String> names = RetryTopics.ALL.stream().map(Topic::name).toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
          description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
      admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
          .forEach((partition, end) -> all.put(partition, RecordsToDelete.beforeOffset(end.offset())));
      admin.deleteRecords(all).all().get(30, TimeUnit.SECONDS);
    }
  }
}
