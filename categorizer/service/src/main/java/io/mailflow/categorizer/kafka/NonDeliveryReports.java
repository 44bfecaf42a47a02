package io.mailflow.categorizer.kafka;

import io.mailflow.categorizer.ExpandedGroup;
import io.mailflow.categorizer.FailedRecipient;
import io.mailflow.dsn.DsnAction;
import io.mailflow.dsn.DsnPolicy;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.OriginalMessage;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.dsn.submission.DsnSubmission;
import io.mailflow.dsn.submission.Report;
import io.mailflow.dsn.submission.ReportKind;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.smtp.Notify;
import io.mailflow.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NonDeliveryReports - the categorizer's NDRs: the recipients of one submitted message that it failed
 * (5.1.1 not found, 5.5.3 too many recipients, 5.7.60 send-as) reported in one RFC 3464 report per
 * report-to address (the sender; a group reporting to its manager sends its members' reports there),
 * written by schemas/dsn's {@link DsnReports} like delivery's (from {@code <>} for mail.submission.v1, with
 * the DSN tracking events both ways).
 *
 * <p>A group expanded for a recipient whose NOTIFY has SUCCESS is reported in the same report with Action
 * {@code expanded} (RFC 3461 6.2.7.3); a report with no failed recipient is a "delivery status notification".
 *
 * <p>Rules as delivery's: none about a message from {@code <>} (nor for a group reporting to nobody), only
 * recipients whose NOTIFY asks for failures (no NOTIFY means FAILURE), RET/ENVID/ORCPT honoured. The
 * report's network message id is derived from the message, the report-to address and the recipients, so a
 * submission processed twice yields the same report.
 */
final class NonDeliveryReports {

  private final DsnReports reports;

  NonDeliveryReports(DsnReports reports) {
    this.reports = reports;
  }

  /**
   * The reports about {@code failed}, none if nobody may be told.
   *
   * @param internalMessageId the id the FAIL events carry, for the event about the original
   */
  List<Report> forFailures(SubmittedMessage message, String internalMessageId, List<FailedRecipient> failed) {
    return reports(message, internalMessageId, failed, List.of());
  }

  /** The reports about {@code failed} recipients and {@code expanded} groups, one per report-to address. */
  List<Report> reports(SubmittedMessage message, String internalMessageId, List<FailedRecipient> failed,
      List<ExpandedGroup> expanded) {
    Envelope original = message.getEnvelope();
    if (original.getReplayOf() != null) {
      return List.of(); // a replayed submission (Safety Net): the original already reported its fate
    }
    Map<String, List<DsnRecipient>> byReportTo = new LinkedHashMap<>();
    for (FailedRecipient recipient : failed) {
      add(byReportTo, original, recipient.sender(), recipient.dsnNotify(), new DsnRecipient(recipient.address(),
          recipient.orcpt(), DsnAction.FAILED, SmtpReply.parse(recipient.status()), null));
    }
    for (ExpandedGroup group : expanded) {
      add(byReportTo, original, group.sender(), group.dsnNotify(), new DsnRecipient(group.address(),
          group.orcpt(), DsnAction.EXPANDED, SmtpReply.parse(ExpandedGroup.EXPANDED), null));
    }
    List<Report> written = new ArrayList<>();
    if (byReportTo.isEmpty()) {
      return written; // the usual case: no copy of the body
    }
    byte[] content = CategorizerStage.head(message.getBody());
    boolean headersOnly = message.getBody() instanceof BodyReference;
    byReportTo.forEach((reportTo, reported) -> {
      // ENVID and RET are the originator's: a manager's report is about a new delivery (RFC 3461 6.2.7.2).
      boolean originator = reportTo.equals(original.getSender());
      OriginalMessage about = new OriginalMessage(reportTo, originator ? original.getEnvId() : null,
          original.getReceivedAt(), originator ? DsnSubmission.ret(original.getDsnRet()) : null, content,
          headersOnly);
      ReportKind kind = reported.stream().anyMatch(r -> r.action() == DsnAction.FAILED)
          ? ReportKind.NON_DELIVERY : ReportKind.STATUS;
      written.add(reports.report(kind, original, internalMessageId, about, reported,
          "categorizer:" + original.getNetworkMessageId() + ":" + reportTo));
    });
    return written;
  }

  private static void add(Map<String, List<DsnRecipient>> byReportTo, Envelope original, String sender,
      List<Notify> notify, DsnRecipient recipient) {
    String reportTo = sender == null ? original.getSender() : sender;
    if (DsnPolicy.allows(reportTo, notify, recipient.action())) {
      byReportTo.computeIfAbsent(reportTo, k -> new ArrayList<>()).add(recipient);
    }
  }
}
