package io.mailflow.webhooks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Webhook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** The backoff: 1 s doubling to 5 min, each wait between half and all of its step. */
class WebhookBackoffTest {
  @Test
  void doublesFromOneSecondToFiveMinutesWithJitter() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Webhook hook = new Webhook("b", "https://x.test/", "f", "0123456789abcdef", EnumSet.allOf(Webhook.Event.class),
        Duration.ofSeconds(10), Duration.ofHours(24), true, false);
    try (WebhookEndpoint endpoint = new WebhookEndpoint(hook, timer, new SimpleMeterRegistry(),
        new WebhookEndpoint.Options(WebhookEndpoint.FIRST_RETRY, Clock.systemUTC()))) {
      long[] steps = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000};
      for (int n = 1; n <= steps.length; n++) {
        for (int i = 0; i < 200; i++) {
          long wait = endpoint.backoff(n).toMillis();
          long step = steps[n - 1];
          assertTrue(wait >= step / 2 && wait <= step, "backoff(" + n + ") = " + wait + " ms, want " + step / 2
              + ".." + step);
        }
      }
      assertTrue(endpoint.backoff(1000).compareTo(WebhookEndpoint.MAX_BACKOFF) <= 0);
    } finally {
      timer.shutdownNow();
    }
  }
}
