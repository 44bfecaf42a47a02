package io.mailflow.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KafkaOutage - tells Kafka being unavailable (a broker down, a topic or leader not known yet, a timeout, not
 * enough in-sync replicas) from a record's own failure, and keeps one loop's account of an outage in progress.
 *
 * <p>An outage is waited out: the records it fails are tried again and never count toward
 * {@code poisonThreshold} (Exchange parks a message that crashes the transport, not one that met a broker
 * restart). It is logged when it starts and when it ends, not once per record, and shown on
 * {@code mailflow.stage.kafka.unavailable} (1 while waiting) and
 * {@code mailflow.stage.kafka.unavailable.retries} (attempts failed by it), tagged {@code stage} and
 * {@code topic}. Loop thread only, apart from the gauge.
 */
final class KafkaOutage implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaOutage.class);
  /** Cause chains are short; this bounds a cyclic one. */
  private static final int MAX_CAUSES = 16;

  private final String stage;
  private final String topic;
  private final MeterRegistry meters;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Gauge gauge;
  private final Counter retries;
  private long sinceNanos;
  private long failuresSince;

  KafkaOutage(String stage, String topic, MeterRegistry meters) {
    this.stage = stage;
    this.topic = topic;
    this.meters = meters;
    Tags tags = Tags.of("stage", stage, "topic", topic);
    this.gauge = Gauge.builder("mailflow.stage.kafka.unavailable", waiting, AtomicInteger::get).tags(tags)
        .description("1 while the stage waits out Kafka being unavailable (nothing is parked meanwhile)")
        .register(meters);
    this.retries = Counter.builder("mailflow.stage.kafka.unavailable.retries").tags(tags)
        .description("record attempts and commits that failed because Kafka was unavailable; tried again, "
            + "never counted toward poisonThreshold")
        .register(meters);
  }

  /**
   * Whether {@code failure}, or anything it wraps (CompletionException, ExecutionException, a stage's own
   * exception with the Kafka client's as its cause), is Kafka being unavailable rather than the record's fault.
   */
  static boolean isOutage(Throwable failure) {
    Throwable t = failure;
    for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause() == t ? null : t.getCause()) {
      // RetriableException: TimeoutException ("Topic ... not present in metadata after 10000 ms", "Expiring
      // N record(s)"), NotEnoughReplicas(AfterAppend), UnknownTopicOrPartition, NotLeaderOrFollower,
      // NetworkException, DisconnectException, CoordinatorNotAvailable, RetriableCommitFailedException ...
      if (t instanceof RetriableException || t instanceof BrokerNotAvailableException
          || t instanceof KafkaUnavailableException) {
        return true;
      }
      String message = t.getMessage();
      // a stage that kept only the client's message (its text is the Kafka client's own)
      if (message != null && message.toLowerCase(Locale.ROOT).contains("not present in metadata")) {
        return true;
      }
    }
    return false;
  }

  /** Something failed for want of Kafka: logged when the outage starts. */
  void failed(String what) {
    retries.increment();
    failuresSince++;
    if (waiting.getAndSet(1) == 0) {
      sinceNanos = System.nanoTime();
      log.warn("stage {}: Kafka unavailable ({}); waiting it out, nothing is parked meanwhile: {}", stage, topic,
          what);
    }
  }

  /**
   * Kafka took something again (a record's output, a commit) that was sent at {@code sentNanos}
   * (System.nanoTime()): the outage, if any, is over, unless that was sent before it began (an answer already on
   * its way then says nothing about now).
   */
  void over(long sentNanos) {
    if (waiting.get() == 1 && sentNanos - sinceNanos >= 0 && waiting.getAndSet(0) == 1) {
      log.info("stage {}: Kafka available again ({}) after {} s; {} attempt(s) were tried again", stage, topic,
          Duration.ofNanos(System.nanoTime() - sinceNanos).toSeconds(), failuresSince);
      failuresSince = 0;
    }
  }

  boolean waiting() {
    return waiting.get() == 1;
  }

  @Override
  public void close() {
    meters.remove(gauge);
    meters.remove(retries);
  }
}
