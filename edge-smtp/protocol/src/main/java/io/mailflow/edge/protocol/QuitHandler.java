package io.mailflow.edge.protocol;

import java.util.List;

/** QuitHandler - QUIT: 221, then the session ends (a 221 reply closes it). */
final class QuitHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("QUIT");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    session.reply(Replies.CLOSING);
  }
}
