package io.mailflow.categorizer;

import io.mailflow.smtp.Notify;
import java.util.List;

/**
 * EnvelopeRecipient - one RCPT TO of a submitted message with its RFC 3461 parameters.
 *
 * @param orcpt the ORCPT parameter as given (e.g. {@code rfc822;bob@example.com}), or null
 * @param dsnNotify the NOTIFY keywords; empty means the default
 */
public record EnvelopeRecipient(String address, String orcpt, List<Notify> dsnNotify) {
  public EnvelopeRecipient {
    dsnNotify = Notify.normalized(dsnNotify);
  }

  /** A recipient without DSN parameters. */
  public static EnvelopeRecipient of(String address) {
    return new EnvelopeRecipient(address, null, List.of());
  }
}
