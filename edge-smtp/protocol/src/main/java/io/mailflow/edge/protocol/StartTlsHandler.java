package io.mailflow.edge.protocol;

import java.util.List;

/**
 * StartTlsHandler - STARTTLS (RFC 3207) where the connector offers it. Everything the client sent
 * after the command is dropped before the handshake (command-injection defence, CVE-2011-0411).
 */
final class StartTlsHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("STARTTLS");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    if (!session.config().startTlsOffered()) {
      session.protocolError(Replies.unrecognizedCommand(verb));
      return;
    }
    if (session.info().tls()) {
      session.reply(Replies.BAD_SEQUENCE);
      return;
    }
    if (!argument.isBlank()) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    session.startTls();
  }
}
