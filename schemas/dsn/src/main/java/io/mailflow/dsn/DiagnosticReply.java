package io.mailflow.dsn;

import io.mailflow.smtp.SmtpReply;

/**
 * DiagnosticReply - transitional: reads a tracking-log status line into the {@link SmtpReply} a
 * {@link DsnRecipient} reports. It only forwards to {@link SmtpReply#parse(String)} and stays until the
 * categorizer (the last caller) uses that directly; write new code against {@link SmtpReply}.
 */
public final class DiagnosticReply {

  private DiagnosticReply() {}

  /** {@link SmtpReply#parse(String)}. */
  public static SmtpReply parse(String line) {
    return SmtpReply.parse(line);
  }
}
