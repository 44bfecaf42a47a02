package io.mailflow.edge.protocol;

import java.util.List;

/** CommandHandler - answers one SMTP verb (or a pair such as EHLO/HELO). */
interface CommandHandler {

  /** The verbs handled, upper case. */
  List<String> verbs();

  /**
   * Handles one command line.
   *
   * @param verb the verb as upper case
   * @param argument what followed the verb and one space; empty if nothing did
   */
  void handle(SessionContext session, String verb, String argument);
}
