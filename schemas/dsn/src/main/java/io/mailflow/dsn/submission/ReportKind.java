package io.mailflow.dsn.submission;

import io.mailflow.dsn.DsnRecipient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * ReportKind - what a report is, worded as the message tracking log words it (Exchange's texts): the
 * event about the original says "{@link #text()} &lt;Message-ID&gt; to &lt;report-to&gt;", the event about
 * the report says "{@link #reportsOn()} &lt;addresses&gt; of &lt;original Message-ID&gt;". Each kind also
 * says how a reported recipient's status reads in that log and how the report's id is named.
 */
public enum ReportKind {
  /** A non-delivery report: at least one recipient failed (delivery's NDRs, the categorizer's). */
  NON_DELIVERY("non-delivery report", "reports", "dsn", false),
  /** A delay notification: recipients still being retried past DelayNotificationTimeout (delivery). */
  DELAY("delay notification", "delay notification on", "delay notification", true),
  /** A success report: recipients delivered or relayed whose NOTIFY asked for SUCCESS (delivery). */
  DELIVERY("delivery report", "delivery report on", "delivery report", true),
  /** A report with no failed recipient that the categorizer writes: groups expanded for NOTIFY=SUCCESS. */
  STATUS("delivery status notification", "reports", "dsn", false);

  private final String text;
  private final String reportsOn;
  private final String idNamespace;
  private final boolean statusNamesAction;

  ReportKind(String text, String reportsOn, String idNamespace, boolean statusNamesAction) {
    this.text = text;
    this.reportsOn = reportsOn;
    this.idNamespace = idNamespace;
    this.statusNamesAction = statusNamesAction;
  }

  /** The kind as the event about the original names it: "non-delivery report", "delay notification" … */
  public String text() {
    return text;
  }

  /** How the event about the report introduces the addresses it reports on: "reports", "delay notification on" … */
  public String reportsOn() {
    return reportsOn;
  }

  /**
   * status - a reported recipient's recipient-status in the event about the original: the reply line
   * ({@code 550 5.1.1 User unknown}); for delay and success reports the Action first ({@code delayed 451 4.7.1 …}),
   * since there the reply alone does not say what was reported.
   */
  public String status(DsnRecipient recipient) {
    String line = recipient.reply().line();
    return statusNamesAction ? recipient.action().field() + " " + line : line;
  }

  /**
   * networkMessageId - the report's id, name-based ({@code <namespace>:<idScope>:<recipient>…}): the same
   * message and recipients give the same id, so a message processed twice (at-least-once) yields one report
   * the mailbox store de-duplicates. Non-delivery and status reports are named under "dsn", delay and success
   * reports under their text: the names they had before this enum, kept so ids do not change.
   *
   * @param idScope what the report is about, unique within its stage: delivery's internal message id of the
   *     copy, the categorizer's {@code categorizer:<network message id>:<report-to>}
   */
  public String networkMessageId(String idScope, List<DsnRecipient> reported) {
    StringBuilder name = new StringBuilder(idNamespace).append(':').append(idScope);
    reported.forEach(r -> name.append(':').append(r.finalRecipient()));
    return UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
  }
}
