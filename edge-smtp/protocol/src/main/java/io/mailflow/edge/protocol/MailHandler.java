package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.List;

/** MailHandler - MAIL FROM: starts a transaction; refuses a declared SIZE over the limit at once. */
final class MailHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("MAIL");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    if (!session.info().greeted()) {
      session.reply(Replies.SEND_HELLO_FIRST);
      return;
    }
    if (session.mailFrom() != null) {
      session.reply(Replies.SENDER_ALREADY_SPECIFIED);
      return;
    }
    MailFrom from;
    try {
      from = CommandArguments.parseMailFrom(argument, session.info().esmtp());
    } catch (SmtpSyntaxException e) {
      syntaxError(session, e.reply());
      return;
    }
    if (from.declaredSize() > session.config().maxMessageSize()) {
      session.reply(Replies.SIZE_EXCEEDED);
      return;
    }
    if (!session.allowed(() -> session.hooks().mailFrom(session.info(), from))) {
      return;
    }
    session.beginTransaction(from);
    session.reply(Replies.SENDER_OK);
  }

  /** 501s are protocol errors; 553 (non-ASCII without SMTPUTF8) is a refusal of the address. */
  static void syntaxError(SessionContext session, SmtpReply reply) {
    if (reply.code() == 501) {
      session.protocolError(reply);
    } else {
      session.reply(reply);
    }
  }
}
