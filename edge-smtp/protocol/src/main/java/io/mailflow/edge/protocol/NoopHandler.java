package io.mailflow.edge.protocol;

import java.util.List;

/** NoopHandler - NOOP: 250, argument ignored (RFC 5321 4.1.1.9). */
final class NoopHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("NOOP");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    session.reply(Replies.OK);
  }
}
