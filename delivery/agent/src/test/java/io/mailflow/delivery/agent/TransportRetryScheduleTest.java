package io.mailflow.delivery.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.organization.TransportService;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransportRetryScheduleTest {

  @Test
  void theDefaultServiceGivesExchangesScheduleAndTheStageUsesIt() {
    RetrySchedule s = TransportRetrySchedule.of(TransportService.defaults());
    assertEquals(new RetrySchedule(4, Duration.ofMinutes(1), 6, Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofMinutes(10), Duration.ofHours(4), Duration.ofDays(2)), s);
    assertEquals(s, DeliveryStage.Options.defaults().retrySchedule());
  }

  @Test
  void aConfiguredServiceSetsTheTransientTierLaterRetriesQueueRetriesAndExpiry() throws Exception {
    TransportService service = OrganizationLoader.parse("serverName: EX01\nacceptedDomains: [contoso.test]\n"
        + "transportService:\n"
        + "  transientFailureRetryAttempts: 2\n"
        + "  transientFailureRetryInterval: 00:00:30\n"
        + "  outboundConnectionFailureRetryInterval: 00:20:00\n"
        + "  messageRetryInterval: 00:05:00\n"
        + "  messageExpirationTimeout: 06:00:00\n"
        + "  delayNotificationTimeout: 01:00:00\n", "test.yaml").transportService();
    RetrySchedule s = DeliveryStage.Options.defaults().withTransportService(service).retrySchedule();
    assertEquals(Duration.ofMinutes(1), s.delayAfter(4), "the glitch tier is fixed");
    assertEquals(Duration.ofSeconds(30), s.delayAfter(5));
    assertEquals(Duration.ofSeconds(30), s.delayAfter(6));
    assertEquals(Duration.ofMinutes(5), s.delayAfter(7));
    assertEquals(Duration.ofMinutes(20), s.queueRetryDelayAfter(7));
    Instant received = Instant.parse("2026-01-01T00:00:00Z");
    assertFalse(s.expired(received, received.plus(Duration.ofMinutes(359))));
    assertTrue(s.expired(received, received.plus(Duration.ofHours(6))));
    assertTrue(s.delayNotificationDue(received, received.plus(Duration.ofHours(1))));
  }

  @Test
  void aShrunkGlitchTierIsKeptWhenTheServiceIsApplied() {
    TransportService service = TransportService.defaults().withRetry(1, Duration.ofSeconds(2),
        Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(9));
    RetrySchedule s = FastRetries.options().withTransportService(service).retrySchedule();
    assertEquals(new RetrySchedule(4, Duration.ofMillis(300), 1, Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(3), Duration.ofHours(4), Duration.ofSeconds(9)), s);
  }

  @Test
  void theServicesPoisonThresholdGovernsTheStageLoop() throws Exception {
    TransportService service = OrganizationLoader.parse("serverName: EX01\nacceptedDomains: [contoso.test]\n"
        + "transportService: {poisonThreshold: 4}\n", "test.yaml").transportService();
    assertEquals(4, DeliveryStage.Options.defaults().withTransportService(service).loop().poisonThreshold());
    assertEquals(2, DeliveryStage.Options.defaults().withTransportService(TransportService.defaults()).loop()
        .poisonThreshold(), "Exchange's threshold");
  }
}
