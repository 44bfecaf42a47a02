package io.mailflow.delivery.agent;

import io.mailflow.kafka.Topic;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.DeliveryItem;
import java.time.Duration;
import java.util.List;

/**
 * RetryTopics - which delay topic a deferred copy waits on: the one whose nominal delay is the largest
 * not above the copy's wait (under 5 min: mail.retry.1m.v1, and so on). Copies in one topic thus have
 * similar waits, so a forwarder that stops at the first copy not yet due holds others back only briefly.
 */
final class RetryTopics {

  static final List<Topic<DeliveryItem>> ALL = List.of(Topics.RETRY_1M, Topics.RETRY_5M, Topics.RETRY_15M,
      Topics.RETRY_1H);

  private RetryTopics() {}

  static Topic<DeliveryItem> forDelay(Duration delay) {
    if (delay.compareTo(Duration.ofMinutes(5)) < 0) {
      return Topics.RETRY_1M;
    }
    if (delay.compareTo(Duration.ofMinutes(15)) < 0) {
      return Topics.RETRY_5M;
    }
    if (delay.compareTo(Duration.ofHours(1)) < 0) {
      return Topics.RETRY_15M;
    }
    return Topics.RETRY_1H;
  }
}
