package io.mailflow.dsn.submission;

import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Report - one DSN ready to publish: its submission (from {@code <>}, for mail.submission.v1) and the DSN
 * tracking events that link it and the message it reports on, both ways (for mail.tracking.v1).
 *
 * @param kind what the report is (non-delivery, delay, delivery, status): stages count reports by it
 * @param message the report as a submission, keyed by its own network message id
 * @param events the event about the original, then the event about the report
 */
public record Report(ReportKind kind, SubmittedMessage message, List<TrackingEvent> events) {

  public Report {
    Objects.requireNonNull(kind, "kind");
    events = List.copyOf(events);
  }

  /** The report's network message id (its key on mail.submission.v1). */
  public String networkMessageId() {
    return message.getEnvelope().getNetworkMessageId();
  }

  /**
   * publish - sends the submission, then each event; one future per record, each completing when Kafka
   * acknowledged it. The caller commits its input offset only after all of them (with its own records).
   */
  public List<CompletableFuture<RecordMetadata>> publish(TopicPublisher publisher) {
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(1 + events.size());
    acks.add(publisher.send(Topics.SUBMISSION, networkMessageId(), message));
    events.forEach(event -> acks.add(publisher.track(event)));
    return acks;
  }
}
