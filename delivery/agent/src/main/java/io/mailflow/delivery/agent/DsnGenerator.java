package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.dsn.Dsn;
import io.mailflow.dsn.DsnAction;
import io.mailflow.dsn.DsnPolicy;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.submission.DsnSubmission;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.Notify;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * DsnGenerator - turns the recipients of one copy that failed for good into one non-delivery report
 * (RFC 3464, built and wrapped by schemas/dsn's {@link DsnSubmission}) submitted to mail.submission.v1 from
 * {@code <>} to the original sender, so it flows through the pipeline like any message; plus the DSN
 * tracking events that link the two messages.
 *
 * <p>Rules: no DSN about a message from {@code <>}; a recipient is reported only if its NOTIFY allows
 * a failure DSN ({@link DsnPolicy}). The DSN's network message id is derived from the copy and its
 * failed recipients, so a copy processed twice (at-least-once) yields the same id and the mailbox
 * store absorbs the repeat.
 */
final class DsnGenerator {

  /** The receive connector a DSN's envelope names: it was made here, not received. */
  static final String RECEIVE_CONNECTOR = DsnSubmission.RECEIVE_CONNECTOR;

  private final Organization organization;
  private final DsnSubmission submission;
  private final Clock clock;

  DsnGenerator(Organization organization, Clock clock) {
    this.organization = organization;
    this.submission = new DsnSubmission(organization);
    this.clock = clock;
  }

  /** The DSN submission and its tracking events. */
  record Generated(SubmittedMessage message, List<TrackingEvent> events) {}

  /**
   * The DSN for the recipients of {@code item} whose outcome is {@link DeliveryOutcome.Permanent}, if
   * any of them may be reported.
   *
   * @param outcomes one per recipient of {@code item}, in order
   * @param content the copy as it was delivered (returned as headers, or whole for RET=FULL)
   * @param remoteHost the host that gave the replies, or null when no remote did
   */
  Optional<Generated> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, byte[] content,
      String remoteHost) {
    return forFailures(item, outcomes, MessageSource.of(content), remoteHost);
  }

  /**
   * The same for a copy whose content may be claim-checked: then only its head (the header section) is
   * at hand, and RET=FULL returns the headers with a line saying the message was too large to return
   * (RFC 3464 allows headers only). A DSN travels inline, so it never carries a large body back.
   */
  Optional<Generated> forFailures(DeliveryItem item, List<DeliveryOutcome> outcomes, MessageSource content,
      String remoteHost) {
    Envelope original = item.getEnvelope();
    List<DsnRecipient> reported = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      if (!(outcomes.get(i) instanceof DeliveryOutcome.Permanent failed)) {
        continue;
      }
      ResolvedRecipient recipient = item.getRecipients().get(i);
      if (DsnPolicy.allows(original.getSender(), notify(recipient), DsnAction.FAILED)) {
        reported.add(new DsnRecipient(failed.recipient(), recipient.getOrcpt(), DsnAction.FAILED, failed.reply(),
            remoteHost));
      }
    }
    if (reported.isEmpty()) {
      return Optional.empty();
    }
    List<String> statuses = reported.stream().map(r -> r.reply().toString()).toList();
    return Optional.of(generated(item, reported, content, dsnNetworkMessageId(item, reported), statuses,
        "non-delivery report", "reports"));
  }

  /**
   * A delay or success notice ({@link DeliveryNotices} picks the recipients and their actions): the same
   * report, envelope and two-way tracking link as a non-delivery report. Its network message id is derived
   * from the copy, {@code kind} and the recipients, so a copy processed twice yields the same id.
   *
   * @param reported the recipients to report, each with its action (delayed, delivered, relayed)
   * @param kind what the notice is, for the id and the tracking text: "delay notification", "delivery report"
   */
  Optional<Generated> forNotice(DeliveryItem item, List<DsnRecipient> reported, MessageSource content, String kind) {
    if (reported.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder name = new StringBuilder(kind).append(':').append(item.getInternalMessageId());
    reported.forEach(r -> name.append(':').append(r.finalRecipient()));
    String networkMessageId = UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
    List<String> statuses = reported.stream().map(r -> r.action().field() + " " + r.reply()).toList();
    return Optional.of(generated(item, reported, content, networkMessageId, statuses, kind, kind + " on"));
  }

  /**
   * The report as a submission from {@code <>} and Exchange's report link in tracking, both ways: the
   * original names its DSN, the DSN names what it reports on.
   */
  private Generated generated(DeliveryItem item, List<DsnRecipient> reported, MessageSource content,
      String networkMessageId, List<String> statuses, String kind, String reportsOn) {
    Envelope original = item.getEnvelope();
    DsnSubmission.Submitted submitted = submission.submit(
        DsnSubmission.original(original, content.head(), !content.inline()), reported, networkMessageId,
        clock.instant());
    Dsn dsn = submitted.dsn();
    SubmittedMessage message = submitted.message();
    List<String> addresses = reported.stream().map(DsnRecipient::finalRecipient).toList();
    TrackingEvent aboutOriginal = new Tracking(organization.serverName(), clock).about(original, TrackingSource.DSN, TrackingEventId.DSN)
        .recipients(addresses, statuses)
        .internalMessageId(item.getInternalMessageId())
        .reference(networkMessageId)
        .relatedRecipient(original.getSender())
        .context(kind + " " + dsn.messageId() + " to " + original.getSender())
        .build();
    TrackingEvent aboutDsn = new Tracking(organization.serverName(), clock).about(message.getEnvelope(), TrackingSource.DSN, TrackingEventId.DSN)
        .recipients(List.of(dsn.recipient()), List.of())
        .reference(original.getNetworkMessageId())
        .context(reportsOn + " " + String.join(", ", addresses) + " of " + original.getMessageIdHeader())
        .build();
    return new Generated(message, List.of(aboutOriginal, aboutDsn));
  }

  private static Set<Notify> notify(ResolvedRecipient recipient) {
    return DsnSubmission.notify(recipient.getNotify());
  }

  private static String dsnNetworkMessageId(DeliveryItem item, List<DsnRecipient> reported) {
    return DsnSubmission.networkMessageId(item.getInternalMessageId(), reported);
  }
}
