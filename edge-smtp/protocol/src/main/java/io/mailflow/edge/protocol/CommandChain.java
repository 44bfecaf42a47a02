package io.mailflow.edge.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CommandChain - the verb handlers of a session, found by verb. */
final class CommandChain {
  private final Map<String, CommandHandler> byVerb = new LinkedHashMap<>();

  CommandChain(List<CommandHandler> handlers) {
    for (CommandHandler handler : handlers) {
      for (String verb : handler.verbs()) {
        if (byVerb.put(verb, handler) != null) {
          throw new IllegalArgumentException("two handlers for " + verb);
        }
      }
    }
  }

  /** The whole chain: every verb the engine answers, in one place. */
  static CommandChain standard() {
    return new CommandChain(List.of(
        new HeloHandler(),      // EHLO HELO: greet, advertise extensions, reset
        new MailHandler(),      // MAIL FROM: sender + SIZE BODY SMTPUTF8 RET ENVID
        new RcptHandler(),      // RCPT TO: recipient + NOTIFY ORCPT, recipient limit
        new DataHandler(),      // DATA: 354, then DataReader until CRLF.CRLF
        new BdatHandler(),      // BDAT n [LAST]: ChunkReader (CHUNKING)
        new RsetHandler(),      // RSET
        new NoopHandler(),      // NOOP
        new QuitHandler(),      // QUIT: 221 and close
        new VrfyHandler(),      // VRFY: 252, never discloses
        new StartTlsHandler(),  // STARTTLS: only when offered; adapter does the handshake
        new AuthHandler(),      // AUTH PLAIN / LOGIN: only when offered (and over TLS if required)
        new HelpHandler()));    // HELP
  }

  /** The handler for {@code verb} (upper case), or null. */
  CommandHandler find(String verb) {
    return byVerb.get(verb);
  }

  List<String> verbs() {
    return List.copyOf(byVerb.keySet());
  }
}
