package io.mailflow.edge.protocol;

/** SmtpSyntaxException - a command argument that does not parse, with the reply the client gets. */
public final class SmtpSyntaxException extends Exception {
  private final transient Reply reply;

  public SmtpSyntaxException(Reply reply, String detail) {
    super(detail, null, false, false);
    this.reply = reply;
  }

  public Reply reply() {
    return reply;
  }
}
