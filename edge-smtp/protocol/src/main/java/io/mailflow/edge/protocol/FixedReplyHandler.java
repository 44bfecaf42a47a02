package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.List;

/**
 * FixedReplyHandler - a verb whose answer never depends on the session or its argument: NOOP (250, argument
 * ignored, RFC 5321 4.1.1.9), HELP (the command list, as Exchange gives it) and QUIT (221; a 221 reply closes
 * the session). One class for the three, so the chain shows each verb beside its one reply.
 */
record FixedReplyHandler(String verb, SmtpReply reply) implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of(verb);
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    session.reply(reply);
  }
}
