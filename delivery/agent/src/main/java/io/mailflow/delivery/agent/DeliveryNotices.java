package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.DsnRequest;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.dsn.DsnAction;
import io.mailflow.dsn.DsnPolicy;
import io.mailflow.dsn.DsnRecipient;
import io.mailflow.dsn.submission.DsnSubmission;
import io.mailflow.dsn.submission.Report;
import io.mailflow.dsn.submission.ReportKind;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.smtp.Notify;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeliveryNotices - the DSNs besides non-delivery reports (RFC 3461/3464): a delay DSN once a copy has
 * waited DelayNotificationTimeout (Exchange: 4 h) and is still being retried, and a success DSN for
 * recipients whose NOTIFY asked for SUCCESS: Action {@code delivered} for the mailbox store, {@code relayed}
 * after SMTP to a server that does not offer DSN. A server that offers it gets RET/ENVID/NOTIFY/ORCPT passed
 * on ({@link #passOn}) and reports itself: then we send no success DSN (RFC 3461 4.1).
 *
 * <p>A delay DSN goes out once per copy: the deferred copy carries {@code delayNotified}, set on the first
 * settle past the threshold whether or not a recipient's NOTIFY allowed the notice. None about a message
 * from {@code <>} ({@link DsnPolicy}) and none about a replayed copy or message ({@code replayOf} on the copy or
 * its envelope: the original already reported).
 */
final class DeliveryNotices {

  private static final Logger log = LoggerFactory.getLogger(DeliveryNotices.class);

  private final DsnGenerator dsns;
  private final RetrySchedule schedule;

  DeliveryNotices(DsnGenerator dsns, RetrySchedule schedule) {
    this.dsns = dsns;
    this.schedule = schedule;
  }

  /** True when the deferred copy of {@code item} settled {@code now} has had (or waived) its delay DSN. */
  boolean delayNotified(DeliveryItem item, Instant now) {
    return item.getDelayNotified() || schedule.delayNotificationDue(item.getEnvelope().getReceivedAt(), now);
  }

  /**
   * The notices for one settled copy.
   *
   * @param outcomes one per recipient of {@code item}, in order, expiry already applied (transient = deferred)
   * @param mailbox true when the copy went to the mailbox store (delivered), false for SMTP (relayed)
   * @param passedOn true when the SMTP remote offered DSN and got NOTIFY/ORCPT: it reports success, not us
   * @param remoteHost the host that answered, or null
   */
  List<Report> after(DeliveryItem item, List<DeliveryOutcome> outcomes, MessageSource content,
      boolean mailbox, boolean passedOn, String remoteHost, Instant now) {
    List<Report> notices = new ArrayList<>(2);
    if (item.getReplayOf() != null || item.getEnvelope().getReplayOf() != null) {
      return notices; // Safety Net resubmit: the original already told the sender
    }
    boolean delayDue = !item.getDelayNotified()
        && schedule.delayNotificationDue(item.getEnvelope().getReceivedAt(), now);
    List<DsnRecipient> delayed = new ArrayList<>();
    List<DsnRecipient> succeeded = new ArrayList<>();
    String sender = item.getEnvelope().getSender();
    for (int i = 0; i < outcomes.size(); i++) {
      DeliveryOutcome o = outcomes.get(i);
      ResolvedRecipient r = item.getRecipients().get(i);
      Set<Notify> notify = DsnSubmission.notify(r.getNotify());
      if (o instanceof DeliveryOutcome.Transient && delayDue
          && DsnPolicy.allows(sender, notify, DsnAction.DELAYED)) {
        delayed.add(new DsnRecipient(o.recipient(), r.getOrcpt(), DsnAction.DELAYED, o.reply(), remoteHost,
            o.command()));
      } else if (o instanceof DeliveryOutcome.Delivered && (mailbox || !passedOn)) {
        DsnAction action = mailbox ? DsnAction.DELIVERED : DsnAction.RELAYED;
        if (DsnPolicy.allows(sender, notify, action)) {
          succeeded.add(new DsnRecipient(o.recipient(), r.getOrcpt(), action, o.reply(), mailbox ? null : remoteHost));
        }
      }
    }
    build(item, delayed, content, ReportKind.DELAY, schedule.expiresAt(item.getEnvelope().getReceivedAt()))
        .forEach(notices::add);
    build(item, succeeded, content, ReportKind.DELIVERY, null).forEach(notices::add);
    return notices;
  }

  /**
   * The RFC 3461 parameters of {@code item} to pass on over SMTP (sent only if the server offers DSN); null for
   * a replayed copy or message, whose next hop must not report to the sender again.
   */
  static DsnRequest passOn(DeliveryItem item) {
    if (item.getReplayOf() != null || item.getEnvelope().getReplayOf() != null) {
      return null;
    }
    List<String> notify = new ArrayList<>();
    List<String> orcpt = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      notify.add(r.getNotify().isEmpty() ? null
          : String.join(",", r.getNotify().stream().map(DsnNotify::name).toList()));
      orcpt.add(r.getOrcpt());
    }
    return new DsnRequest(item.getEnvelope().getDsnRet() == null ? null : item.getEnvelope().getDsnRet().name(),
        item.getEnvelope().getEnvId(), notify, orcpt);
  }

  /** A notice that cannot be built is logged, not retried: retrying would deliver the copy again. */
  private List<Report> build(DeliveryItem item, List<DsnRecipient> reported, MessageSource content,
      ReportKind kind, Instant retryUntil) {
    try {
      return dsns.forNotice(item, reported, content, kind, retryUntil).stream().toList();
    } catch (RuntimeException e) {
      log.error("delivery: no {} for {} (network message id {}, sender {}): {}", kind.text(), item.getInternalMessageId(),
          item.getEnvelope().getNetworkMessageId(), item.getEnvelope().getSender(), e.toString());
      return List.of();
    }
  }
}
