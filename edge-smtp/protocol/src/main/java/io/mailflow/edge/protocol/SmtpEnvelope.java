package io.mailflow.edge.protocol;

import java.util.List;

/** SmtpEnvelope - the sender and accepted recipients of one mail transaction. */
public record SmtpEnvelope(MailFrom mailFrom, List<RcptTo> recipients) {
  public SmtpEnvelope {
    if (mailFrom == null) {
      throw new IllegalArgumentException("an envelope needs a MAIL FROM");
    }
    recipients = List.copyOf(recipients);
  }
}
