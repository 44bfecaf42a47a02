package io.mailflow.edge.protocol;

import io.mailflow.smtp.Notify;
import java.util.EnumSet;
import java.util.Set;

/**
 * RcptTo - one parsed RCPT TO command.
 *
 * @param address the forward path without angle brackets (may be a bare {@code postmaster})
 * @param notifyOn RFC 3461 NOTIFY keywords; empty when the client gave none (the default: FAILURE)
 * @param orcpt RFC 3461 ORCPT as sent, e.g. {@code rfc822;bob@example.com}, or null
 */
public record RcptTo(String address, Set<Notify> notifyOn, String orcpt) {

  public RcptTo {
    if (address == null || address.isEmpty()) {
      throw new IllegalArgumentException("recipient address must not be empty");
    }
    notifyOn = notifyOn == null || notifyOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifyOn));
  }

  public static RcptTo of(String address) {
    return new RcptTo(address, Set.of(), null);
  }

  /** The domain after the last {@code @}, lower-cased; empty for a bare postmaster. */
  public String domain() {
    return SmtpPath.domainOf(address);
  }
}
