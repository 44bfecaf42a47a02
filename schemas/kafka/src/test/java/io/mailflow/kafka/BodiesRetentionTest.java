package io.mailflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** mail.bodies.v1 keeps a body past every retry and replay of the copies that refer to it. */
class BodiesRetentionTest {

  @Test
  void exchangesTwoDayExpiryKeepsTheFourDayDefault() {
    assertEquals(Duration.ofDays(4), TopicProvisioner.bodiesRetention(Duration.ofDays(2)));
    assertEquals(Duration.ofDays(4), TopicProvisioner.bodiesRetention(Duration.ofHours(1)), "never below 4 days");
  }

  @Test
  void aLongerExpiryKeepsBodiesUntilItAndTheSafetyNetArePast() {
    assertEquals(Duration.ofDays(9), TopicProvisioner.bodiesRetention(Duration.ofDays(7)),
        "7 days of retries, then 2 days in which replay may still send the copy");
  }
}
