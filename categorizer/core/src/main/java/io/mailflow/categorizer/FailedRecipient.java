package io.mailflow.categorizer;

import io.mailflow.smtp.Notify;
import java.util.List;

/**
 * FailedRecipient - a recipient the categorizer could not take, with what its non-delivery report needs:
 * whom the report goes to and the recipient's RFC 3461 parameters as they stood where it failed.
 *
 * @param address the recipient that failed (Final-Recipient)
 * @param sender the envelope sender reports about it go to when it is not the message's (a group's manager,
 *     or {@code ""} when the group reports to nobody); null keeps the message's sender
 * @param orcpt the ORCPT in effect, or null
 * @param dsnNotify the NOTIFY in effect; empty means the default (FAILURE)
 * @param status the reply as the FAIL tracking event writes it, e.g. {@code 550 5.1.1 RESOLVER.ADR...}
 */
public record FailedRecipient(String address, String sender, String orcpt, List<Notify> dsnNotify, String status) {
  public FailedRecipient {
    dsnNotify = List.copyOf(dsnNotify);
  }

  /** An envelope recipient failed as a whole message fails (5.5.3, 5.7.60): its own parameters, the message's sender. */
  public static FailedRecipient of(EnvelopeRecipient recipient, String status) {
    return new FailedRecipient(recipient.address(), null, recipient.orcpt(), recipient.dsnNotify(), status);
  }
}
