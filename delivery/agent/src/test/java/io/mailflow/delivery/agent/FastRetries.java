package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.StageLoop;
import java.time.Duration;

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
}
