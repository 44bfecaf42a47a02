package io.mailflow.edge.protocol;

import io.mailflow.smtp.BodyType;
import java.util.List;

/** DataHandler - DATA: checks the transaction is complete, then switches to reading content. */
final class DataHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("DATA");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    if (!argument.isBlank()) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    MailFrom from = session.mailFrom();
    if (from == null) {
      session.reply(Replies.NEED_MAIL);
      return;
    }
    // RFC 3030: BINARYMIME content, and a transaction begun with BDAT, continue only with BDAT
    if (session.chunking() || from.bodyType() == BodyType.BINARY_MIME) {
      session.reply(Replies.BAD_SEQUENCE);
      return;
    }
    if (session.recipients().isEmpty()) {
      session.reply(Replies.NEED_RCPT); // normal with PIPELINING when every RCPT was refused
      return;
    }
    SmtpEnvelope envelope = new SmtpEnvelope(from, session.recipients());
    if (!session.allowed(() -> session.hooks().data(session.info(), envelope))) {
      session.resetTransaction();
      return;
    }
    session.beginData();
  }
}
