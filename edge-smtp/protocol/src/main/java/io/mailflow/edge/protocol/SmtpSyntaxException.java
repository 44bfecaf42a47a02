package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;

/** SmtpSyntaxException - a command argument that does not parse, with the reply the client gets. */
public final class SmtpSyntaxException extends Exception {
  private final transient SmtpReply reply;

  public SmtpSyntaxException(SmtpReply reply, String detail) {
    super(detail, null, false, false);
    this.reply = reply;
  }

  public SmtpReply reply() {
    return reply;
  }
}
