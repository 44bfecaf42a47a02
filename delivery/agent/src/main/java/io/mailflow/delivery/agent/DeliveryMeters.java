package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.dsn.submission.ReportKind;
import io.mailflow.schemas.avro.DeliveryType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * DeliveryMeters - the stage-wide delivery meters ({@code mailflow.delivery.*}): attempts by delivery type,
 * recipient outcomes by result and reply class, delivery latency (received by the edge → delivered), DSNs by
 * kind, open outbound SMTP connections. Per-queue meters (depth, status, per-queue outcomes) are
 * {@link QueueStates}'. Every instance is built here once; tags are enums and reply classes, never an address.
 */
final class DeliveryMeters {
  static final String PREFIX = "mailflow.delivery.";
  private static final String[] RESULTS = {"delivered", "deferred", "failed"};

  private final Map<DeliveryType, Counter> attempts = new EnumMap<>(DeliveryType.class);
  /** [result][reply code / 100]. */
  private final Counter[][] outcomes = new Counter[RESULTS.length][6];
  private final Map<ReportKind, Counter> dsns = new EnumMap<>(ReportKind.class);
  private final Timer latency;

  DeliveryMeters(MeterRegistry registry, IntSupplier openConnections) {
    for (DeliveryType type : DeliveryType.values()) {
      attempts.put(type, Counter.builder(PREFIX + "attempts").tag("delivery_type", type.name())
          .description("delivery attempts of a copy (held copies of a suspended or retrying queue are not attempts)")
          .register(registry));
    }
    for (int r = 0; r < RESULTS.length; r++) {
      for (int c = 2; c <= 5; c++) {
        outcomes[r][c] = Counter.builder(PREFIX + "outcomes").tag("result", RESULTS[r]).tag("class", c + "xx")
            .description("recipients settled, by result and the class of the reply that settled them")
            .register(registry);
      }
    }
    for (ReportKind kind : ReportKind.values()) {
      dsns.put(kind, Counter.builder(PREFIX + "dsns").tag("kind", kind.name())
          .description("DSNs submitted, by kind (NON_DELIVERY, DELAY, DELIVERY)").register(registry));
    }
    latency = Timer.builder(PREFIX + "latency")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1))
        .description("from receipt by the edge to delivery, per copy with a recipient delivered")
        .register(registry);
    Gauge.builder(PREFIX + "smtp.connections.open", openConnections, IntSupplier::getAsInt)
        .strongReference(true) // the supplier is a method reference nothing else holds
        .description("outbound SMTP connections open (in use, idle, or being opened)").register(registry);
  }

  void attempted(DeliveryType type) {
    attempts.get(type).increment();
  }

  /** One recipient's outcome. */
  void settled(DeliveryOutcome outcome) {
    int result = outcome instanceof DeliveryOutcome.Delivered ? 0 : outcome instanceof DeliveryOutcome.Transient ? 1 : 2;
    int c = outcome.reply().code() / 100;
    outcomes[result][c >= 2 && c <= 5 ? c : 4].increment();
  }

  void delivered(Duration sinceReceived) {
    latency.record(sinceReceived.isNegative() ? Duration.ZERO : sinceReceived);
  }

  void reported(ReportKind kind) {
    dsns.get(kind).increment();
  }
}
