package io.mailflow.edge.protocol;

import java.util.List;

/** RcptHandler - RCPT TO: adds a recipient the policy accepts, up to the recipient limit. */
final class RcptHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("RCPT");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    MailFrom from = session.mailFrom();
    if (from == null) {
      session.reply(Replies.NEED_MAIL);
      return;
    }
    RcptTo rcpt;
    try {
      rcpt = CommandArguments.parseRcptTo(argument, session.info().esmtp(), from.smtpUtf8());
    } catch (SmtpSyntaxException e) {
      MailHandler.syntaxError(session, e.reply());
      return;
    }
    if (session.recipients().size() >= session.config().maxRecipients()) {
      session.reply(Replies.TOO_MANY_RECIPIENTS);
      return;
    }
    List<RcptTo> accepted = List.copyOf(session.recipients());
    if (!session.allowed(() -> session.hooks().rcptTo(session.info(), from, accepted, rcpt))) {
      return;
    }
    session.addRecipient(rcpt);
    session.reply(Replies.RECIPIENT_OK);
  }
}
