package io.mailflow.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * KafkaClientMeters - binds a Kafka client's own metrics (consumer lag per partition, fetch and send rates,
 * request latency) to a registry through Micrometer's {@link KafkaClientMetrics}, tagged with the stage
 * ({@code kafka_consumer_fetch_manager_records_lag{stage,topic,partition,client_id}} …).
 *
 * <p>Every binding has the same tag keys (stage, client_id, kafka_version), as Prometheus wants for one family.
 * One daemon thread for the whole process looks for new client metrics (a partition assigned later)
 * every {@link #REFRESH}; reading {@code metrics()} is thread-safe on both clients.
 */
public final class KafkaClientMeters {
  /** How soon a newly assigned partition's lag shows up (Micrometer's default is a minute). */
  static final Duration REFRESH = Duration.ofSeconds(10);

  private static final ScheduledExecutorService REFRESHER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kafka-client-meters");
    t.setDaemon(true);
    return t;
  });

  private KafkaClientMeters() {}

  /** Binds {@code consumer}'s metrics; closing the result removes them (call it before closing the consumer). */
  public static KafkaClientMetrics bind(Consumer<?, ?> consumer, String stage, MeterRegistry meters) {
    KafkaClientMetrics binder = new KafkaClientMetrics(consumer, Tags.of("stage", stage), REFRESHER, REFRESH);
    binder.bindTo(meters);
    return binder;
  }

  /** Binds {@code producer}'s metrics; closing the result removes them. */
  public static KafkaClientMetrics bind(Producer<?, ?> producer, String stage, MeterRegistry meters) {
    KafkaClientMetrics binder = new KafkaClientMetrics(producer, Tags.of("stage", stage), REFRESHER, REFRESH);
    binder.bindTo(meters);
    return binder;
  }
}
