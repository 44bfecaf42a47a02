package io.mailflow.edge.server;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KafkaEdgeEvents - protocol-log events to mail.protocol.v1 (keyed by session id, so one session's
 * lines stay in order on one partition) and tracking events to mail.tracking.v1 (keyed by network
 * message id). A lost event is logged, never fails a session.
 */
final class KafkaEdgeEvents implements EdgeEvents {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEdgeEvents.class);

  private final TopicPublisher publisher;
  private final AtomicLong lost = new AtomicLong();

  KafkaEdgeEvents(TopicPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void protocol(ProtocolEvent event) {
    publisher.send(Topics.PROTOCOL, event.getSessionId(), event)
        .whenComplete((m, e) -> lostIf(e, "protocol-log"));
  }

  @Override
  public void tracking(TrackingEvent event) {
    publisher.send(Topics.TRACKING, event.getNetworkMessageId(), event)
        .whenComplete((m, e) -> lostIf(e, "tracking"));
  }

  /** Logs the first lost event and then every 1000th, so an outage does not flood the log. */
  private void lostIf(Throwable failure, String kind) {
    if (failure != null) {
      long n = lost.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.warn("{} {} event(s) could not be written to Kafka so far; latest: {}", n, kind, failure.toString());
      }
    }
  }
}
