package io.mailflow.edge.protocol;

import java.util.List;

/** VrfyHandler - VRFY: 252 without looking anything up, so addresses cannot be harvested. */
final class VrfyHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("VRFY");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    if (argument.isBlank()) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    session.reply(Replies.CANNOT_VRFY);
  }
}
