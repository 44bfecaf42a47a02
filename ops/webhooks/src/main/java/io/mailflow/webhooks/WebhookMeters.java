package io.mailflow.webhooks;

import io.mailflow.organization.Webhook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * WebhookMeters - one endpoint's meters ({@code mailflow.webhook.*}, tag {@code endpoint} = the webhook's name):
 * notifications by event and outcome ({@code sent}: answered 2xx; {@code retried}: an attempt failed and will be
 * tried again; {@code dropped}: refused for good (4xx) or given up after maxRetryTime), the time each POST took to
 * be answered, and the notifications pending (accepted from Kafka, not answered 2xx nor given up yet).
 */
final class WebhookMeters implements AutoCloseable {
  static final String PREFIX = "mailflow.webhook.";

  enum Outcome { sent, retried, dropped }

  private final MeterRegistry registry;
  private final Map<Webhook.Event, Map<Outcome, Counter>> notifications = new EnumMap<>(Webhook.Event.class);
  private final Timer latency;
  private final List<Meter> meters = new ArrayList<>();

  WebhookMeters(MeterRegistry registry, String endpoint, IntSupplier pending) {
    this.registry = registry;
    for (Webhook.Event event : Webhook.Event.values()) {
      Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        Counter c = Counter.builder(PREFIX + "notifications").tag("endpoint", endpoint).tag("event", event.jsonName())
            .tag("outcome", outcome.name())
            .description("webhook notifications by event and outcome: sent (2xx), retried (an attempt failed, "
                + "tried again), dropped (refused with 4xx, or given up after maxRetryTime)")
            .register(registry);
        byOutcome.put(outcome, c);
        meters.add(c);
      }
      notifications.put(event, byOutcome);
    }
    latency = Timer.builder(PREFIX + "latency").tag("endpoint", endpoint)
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30))
        .description("from a webhook POST sent to its answer (any status; not timeouts nor refused connections)")
        .register(registry);
    meters.add(latency);
    meters.add(Gauge.builder(PREFIX + "pending", pending, IntSupplier::getAsInt).tag("endpoint", endpoint)
        .strongReference(true)
        .description("webhook notifications read from mail.tracking.v1 and not yet answered 2xx nor given up")
        .register(registry));
  }

  void count(Webhook.Event event, Outcome outcome) {
    notifications.get(event).get(outcome).increment();
  }

  void answered(Duration took) {
    latency.record(took);
  }

  /** Removes this endpoint's meters (the node's registry outlives a stopped endpoint in tests). */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
