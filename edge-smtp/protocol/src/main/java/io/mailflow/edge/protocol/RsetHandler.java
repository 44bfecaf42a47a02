package io.mailflow.edge.protocol;

import java.util.List;

/** RsetHandler - RSET: abandons the transaction, keeps the greeting. */
final class RsetHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("RSET");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    if (!argument.isBlank()) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    session.resetTransaction();
    session.reply(Replies.RESETTING);
  }
}
