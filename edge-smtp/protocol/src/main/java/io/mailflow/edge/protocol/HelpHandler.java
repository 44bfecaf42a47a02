package io.mailflow.edge.protocol;

import java.util.List;

/** HelpHandler - HELP: lists the commands, as Exchange does. */
final class HelpHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("HELP");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    session.reply(Replies.HELP);
  }
}
