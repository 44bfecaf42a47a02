package io.mailflow.dsn.submission;

import io.mailflow.dsn.Dsn;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.OriginalMessage;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.time.Clock;
import java.util.List;

/**
 * DsnReports - writes a report the way every stage writes one: the DSN built and wrapped by
 * {@link DsnSubmission} as this server, its id derived from what it reports on ({@link ReportKind#networkMessageId}),
 * and Exchange's report link in message tracking, both ways: the original names its report, the report
 * names what it reports on. Built once per stage; delivery (NDRs, delay and success DSNs) and the categorizer
 * (NDRs, "expanded") call it, and publish the result with {@link Report#publish}.
 *
 * <p>Which recipients are reported, with which action, to whom, and when, is the calling stage's policy (and
 * {@code DsnPolicy}'s); this class decides none of it.
 */
public final class DsnReports {

  private final DsnSubmission submission;
  private final Tracking tracking;
  private final Clock clock;

  public DsnReports(Organization organization, Clock clock) {
    this.submission = new DsnSubmission(organization);
    this.tracking = new Tracking(organization.serverName(), clock,
        organization.transportService().messageTracking().subjectLoggingEnabled());
    this.clock = clock;
  }

  /**
   * report - the report of {@code kind} on {@code reported}, sent to {@code original}'s envelope sender.
   *
   * @param originalEnvelope the envelope of the message reported on (the event about the original is about it)
   * @param internalMessageId the id of the copy reported on, as its other tracking events carry it
   * @param original what the report repeats of the original: its sender (the report-to address), ENVID, RET,
   *     arrival and content
   * @param reported the recipients to report, at least one, each with its action and reply
   * @param idScope what the report is about within its stage, for its name-based id (see
   *     {@link ReportKind#networkMessageId})
   * @throws IllegalArgumentException when the report cannot be written (the null sender, no recipient, a
   *     recipient without an address); the message says which
   */
  public Report report(ReportKind kind, Envelope originalEnvelope, String internalMessageId, OriginalMessage original,
      List<DsnRecipient> reported, String idScope) {
    String networkMessageId = kind.networkMessageId(idScope, reported);
    DsnSubmission.Submitted submitted = submission.submit(original, reported, networkMessageId, clock.instant());
    Dsn dsn = submitted.dsn();
    String reportTo = dsn.recipient();
    List<String> addresses = reported.stream().map(DsnRecipient::finalRecipient).toList();
    TrackingEvent aboutOriginal = tracking.about(originalEnvelope, TrackingSource.DSN, TrackingEventId.DSN,
            addresses, reported.stream().map(kind::status).toList())
        .setInternalMessageId(internalMessageId)
        .setReference(networkMessageId)
        .setRelatedRecipientAddress(reportTo)
        .setSourceContext(kind.text() + " " + dsn.messageId() + " to " + reportTo)
        .build();
    TrackingEvent aboutDsn = tracking.about(submitted.message().getEnvelope(), TrackingSource.DSN, TrackingEventId.DSN,
            List.of(reportTo), List.of())
        .setReference(originalEnvelope.getNetworkMessageId())
        .setSourceContext(kind.reportsOn() + " " + String.join(", ", addresses) + " of " + originalEnvelope.getMessageIdHeader())
        .build();
    return new Report(kind, submitted.message(), List.of(aboutOriginal, aboutDsn));
  }
}
