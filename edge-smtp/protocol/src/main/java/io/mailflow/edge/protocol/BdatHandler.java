package io.mailflow.edge.protocol;

import java.util.List;
import java.util.Locale;

/**
 * BdatHandler - BDAT size [LAST] (RFC 3030). A chunk is always read in full, even when refused,
 * so the octets that follow it are read as the next command and never as part of this one.
 */
final class BdatHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("BDAT");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    String[] words = argument.strip().split(" +");
    long size = parseSize(words[0]);
    boolean last = words.length == 2 && words[1].toUpperCase(Locale.ROOT).equals("LAST");
    if (size < 0 || words.length > 2 || (words.length == 2 && !last)) {
      // the chunk size is unknown: nothing can be skipped, what follows is read as commands
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    if (!session.info().greeted()) {
      session.discardChunk(size, Replies.SEND_HELLO_FIRST, false);
      return;
    }
    MailFrom from = session.mailFrom();
    if (from == null) {
      session.discardChunk(size, Replies.NEED_MAIL, false);
      return;
    }
    if (session.recipients().isEmpty()) {
      session.discardChunk(size, Replies.NEED_RCPT, false);
      return;
    }
    if (!session.chunking()) {
      SmtpEnvelope envelope = new SmtpEnvelope(from, session.recipients());
      HookResult verdict = session.hooks().data(session.info(), envelope);
      if (!verdict.accepted()) {
        session.resetTransaction();
        session.discardChunk(size, verdict.reply(), false);
        return;
      }
    }
    session.beginChunk(size, last);
  }

  /** The chunk size: decimal digits only; -1 when not. */
  private static long parseSize(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Long.parseLong(text);
  }
}
