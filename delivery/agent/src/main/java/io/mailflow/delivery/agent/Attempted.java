package io.mailflow.delivery.agent;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.util.List;
import java.util.Objects;

/**
 * Attempted - what a delivery agent reports about one copy: each recipient's outcome, and what the
 * {@link Settlement} needs to write the tracking events and reports. Agents report; they never write
 * bounces or move copies themselves.
 *
 * @param source the tracking source (STOREDRIVER for the mailbox store, SMTP, QUEUE)
 * @param connectorId the send connector (tracking connector-id), or null
 * @param remoteHost the host that answered (tracking server-ip, DSN Remote-MTA), or null
 * @param outcomes one per recipient of the copy, in order
 * @param dsnPassedOn the remote offered DSN and got our NOTIFY/ORCPT, so it reports success, not us
 * @param configurationError why the copy could not be attempted when the config is at fault, else null
 * @param failuresUnreported the sender is not told of the failed recipients: an admin removed the copy without an
 *     NDR (Remove-Message -WithNDR $false); the FAIL events are written all the same
 */
record Attempted(TrackingSource source, String connectorId, String remoteHost, SourceContext context,
    List<DeliveryOutcome> outcomes, boolean dsnPassedOn, ConfigurationError configurationError,
    boolean failuresUnreported) {

  Attempted {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(context, "context");
    outcomes = List.copyOf(outcomes);
  }

  static Attempted of(TrackingSource source, String connectorId, String remoteHost, SourceContext context,
      List<DeliveryOutcome> outcomes) {
    return new Attempted(source, connectorId, remoteHost, context, outcomes, false, null, false);
  }

  /**
   * Every recipient of {@code item} with the outcome {@code reply} means, no remote host involved: a copy
   * decided as a whole (queue in Retry or suspended, body not readable now, a delivery type not implemented).
   */
  static Attempted sameForAll(DeliveryItem item, SourceContext context, SmtpReply reply) {
    return of(DeliveryTracking.SMTP, item.getNextHop().getConnector(), null, context,
        DeliveryOutcome.sameFor(addresses(item), reply));
  }

  /** Every recipient of {@code item} deferred because this node's config cannot serve its next hop. */
  static Attempted configurationError(DeliveryItem item, SourceContext context, ConfigurationError error,
      String serverName) {
    return new Attempted(DeliveryTracking.SMTP, item.getNextHop().getConnector(), null,
        context.with(error.detail()), DeliveryOutcome.sameFor(addresses(item), error.reply(item.getNextHop(),
        serverName)), false, error, false);
  }

  Attempted withDsnPassedOn(boolean passedOn) {
    return new Attempted(source, connectorId, remoteHost, context, outcomes, passedOn, configurationError,
        failuresUnreported);
  }

  /** The same, the failed recipients not reported to the sender (no NDR). */
  Attempted withFailuresUnreported() {
    return new Attempted(source, connectorId, remoteHost, context, outcomes, dsnPassedOn, configurationError, true);
  }

  /** False when the copy was held in its queue without an attempt: its attempt count is kept. */
  boolean attempted() {
    return context.attempted();
  }

  static List<String> addresses(DeliveryItem item) {
    return item.getRecipients().stream().map(ResolvedRecipient::getAddress).toList();
  }
}
