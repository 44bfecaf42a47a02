package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.dsn.DsnAction;
import io.mailflow.dsn.DsnPolicy;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.dsn.submission.DsnSubmission;
import io.mailflow.dsn.submission.Report;
import io.mailflow.dsn.submission.ReportKind;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DsnGenerator - delivery's reports: which recipients of one copy a report covers, written by schemas/dsn's
 * {@link DsnReports} (the RFC 3464 report from {@code <>} to the original sender for mail.submission.v1, and
 * the DSN tracking events that link the two messages). The non-delivery report's rule is here: every
 * recipient that failed for good whose NOTIFY allows a failure DSN ({@link DsnPolicy}; none about a message
 * from {@code <>}). {@link DeliveryNotices} picks the recipients of delay and success reports.
 *
 * <p>A report's network message id is derived from the copy, its kind and its recipients, so a copy processed
 * twice (at-least-once) yields the same id and the mailbox store absorbs the repeat.
 */
final class DsnGenerator {

  private final DsnReports reports;

  DsnGenerator(DsnReports reports) {
    this.reports = reports;
  }

  /**
   * The DSN for the recipients of {@code item} whose outcome is {@link DeliveryOutcome.Permanent}, if
   * any of them may be reported.
   *
   * @param outcomes one per recipient of {@code item}, in order
   * @param content the copy as it was delivered (returned as headers, or whole for RET=FULL)
   * @param remoteHost the host that gave the replies, or null when no remote did
   */
  Optional<Report> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, byte[] content,
      String remoteHost) {
    return forFailures(item, outcomes, MessageSource.of(content), remoteHost);
  }

  /**
   * The same for a copy whose content may be claim-checked: then only its head (the header section) is
   * at hand, and RET=FULL returns the headers with a line saying the message was too large to return
   * (RFC 3464 allows headers only). A DSN travels inline, so it never carries a large body back.
   */
  Optional<Report> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, MessageSource content,
      String remoteHost) {
    Envelope original = item.getEnvelope();
    List<DsnRecipient> reported = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (!(outcomes.get(i) instanceof DeliveryOutcome.Permanent failed)) {
        continue;
      }
      ResolvedRecipient recipient = item.getRecipients().get(i);
      if (DsnPolicy.allows(original.getSender(), DsnSubmission.notify(recipient.getNotify()), DsnAction.FAILED)) {
        reported.add(new DsnRecipient(failed.recipient(), recipient.getOrcpt(), DsnAction.FAILED, failed.reply(),
            remoteHost, failed.command()));
      }
    }
    return forNotice(item, reported, content, ReportKind.NON_DELIVERY);
  }

  /**
   * The report of {@code kind} on {@code reported} (none if empty): a delay or success notice
   * ({@link DeliveryNotices} picks the recipients and their actions) or a non-delivery report.
   *
   * @param reported the recipients to report, each with its action (failed, delayed, delivered, relayed)
   */
  Optional<Report> forNotice(DeliveryItem item, List<DsnRecipient> reported, MessageSource content,
      ReportKind kind) {
    return forNotice(item, reported, content, kind, null);
  }

  /** The same, saying (a delay report) that delivery is tried until {@code retryUntil}; null: not said. */
  Optional<Report> forNotice(DeliveryItem item, List<DsnRecipient> reported, MessageSource content,
      ReportKind kind, Instant retryUntil) {
    if (reported.isEmpty()) {
      return Optional.empty();
    }
    Envelope original = item.getEnvelope();
    return Optional.of(reports.report(kind, original, item.getInternalMessageId(),
        DsnSubmission.original(original, content.head(), !content.inline()).withRetryUntil(retryUntil), reported,
        item.getInternalMessageId()));
  }
}
