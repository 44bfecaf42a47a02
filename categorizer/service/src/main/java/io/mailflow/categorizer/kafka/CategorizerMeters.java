package io.mailflow.categorizer.kafka;

import io.mailflow.dsn.submission.ReportKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * CategorizerMeters - what the categorizer did, built once per stage instance ({@code mailflow.categorizer.*}).
 * Tags are fixed words (outcome, result); never an address or message id.
 */
final class CategorizerMeters {
  static final String PREFIX = "mailflow.categorizer.";

  final Counter categorized;
  final Counter refused;
  final Counter copies;
  final Counter resolved;
  final Counter expanded;
  final Counter failed;
  private final Map<ReportKind, Counter> reports = new EnumMap<>(ReportKind.class);
  final Timer processing;

  CategorizerMeters(MeterRegistry registry) {
    categorized = Counter.builder(PREFIX + "messages").tag("outcome", "categorized")
        .description("submitted messages read and categorized, by outcome").register(registry);
    refused = Counter.builder(PREFIX + "messages").tag("outcome", "refused")
        .description("submitted messages read and categorized, by outcome").register(registry);
    copies = Counter.builder(PREFIX + "copies").description("categorized copies written (bifurcation, splits)")
        .register(registry);
    resolved = recipients(registry, "resolved");
    expanded = recipients(registry, "expanded");
    failed = recipients(registry, "failed");
    for (ReportKind kind : ReportKind.values()) {
      reports.put(kind, Counter.builder(PREFIX + "dsns").tag("kind", kind.name())
          .description("DSNs submitted, by kind: NDRs for failed recipients (NON_DELIVERY), groups expanded for "
              + "NOTIFY=SUCCESS (STATUS)")
          .register(registry));
    }
    processing = Timer.builder(PREFIX + "processing")
        .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofSeconds(1), Duration.ofSeconds(5))
        .description("from reading a submission to its copies, reports and tracking events acknowledged")
        .register(registry);
  }

  void reported(ReportKind kind) {
    reports.get(kind).increment();
  }

  private static Counter recipients(MeterRegistry registry, String result) {
    return Counter.builder(PREFIX + "recipients").tag("result", result)
        .description("recipients: resolved (written into copies), expanded (members a group expansion added), failed")
        .register(registry);
  }
}
