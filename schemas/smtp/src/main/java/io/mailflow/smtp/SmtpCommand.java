package io.mailflow.smtp;

/**
 * SmtpCommand - the step of an SMTP transaction a remote's reply answered, so a report can say which one
 * the remote refused. {@link #inReplyTo()} is Postfix's phrase ("in reply to RCPT TO command"), the one
 * bounce parsers such as Sisimai look for.
 */
public enum SmtpCommand {
  MAIL_FROM("MAIL FROM"),
  RCPT_TO("RCPT TO"),
  /** The DATA command itself (before any content). */
  DATA("DATA"),
  /** The reply after the final dot: the remote judged the content. */
  END_OF_DATA("end of DATA");
  // no BDAT: delivery's client sends DATA only (CHUNKING is not used outbound)

  private final String words;

  SmtpCommand(String words) {
    this.words = words;
  }

  /** "in reply to RCPT TO command", "in reply to end of DATA command", ... */
  public String inReplyTo() {
    return "in reply to " + words + " command";
  }

  @Override
  public String toString() {
    return words;
  }
}
