package io.mailflow.edge.protocol;

import java.nio.charset.StandardCharsets;

/**
 * CommandLineReader - assembles command lines from bytes split anywhere. A line ends only with
 * CRLF; a CR or LF outside that pair makes the line invalid (smuggling defence). A line longer than
 * 512 octets is reported once and the rest of it discarded, so memory stays at 512 octets.
 */
final class CommandLineReader {

  enum Event { NONE, LINE, TOO_LONG, BARE_NEWLINE }

  private final byte[] line = new byte[SmtpConfig.MAX_COMMAND_LINE - 2];
  private int length;
  private boolean sawCr;
  private boolean bare;
  private boolean discarding;
  private Event event = Event.NONE;
  private String text;

  /**
   * Consumes bytes up to and including the next event (or all of them); returns the index after
   * the last byte consumed. {@link #event()} then says what, if anything, happened.
   */
  int consume(byte[] b, int from, int to) {
    event = Event.NONE;
    int i = from;
    while (i < to) {
      byte c = b[i++];
      if (c == '\n') {
        boolean wasDiscarding = discarding;
        Event e = !sawCr || bare ? Event.BARE_NEWLINE : Event.LINE;
        if (e == Event.LINE) {
          text = new String(line, 0, length, StandardCharsets.UTF_8);
        }
        reset();
        if (wasDiscarding) {
          continue;
        }
        event = e;
        return i;
      }
      if (discarding) {
        continue;
      }
      if (sawCr) {
        bare = true;
      }
      sawCr = c == '\r';
      if (sawCr) {
        continue;
      }
      if (length == line.length) {
        reset();
        discarding = true;
        event = Event.TOO_LONG;
        return i;
      }
      line[length++] = c;
    }
    return i;
  }

  Event event() {
    return event;
  }

  /** The line of the last LINE event, without its CRLF. */
  String line() {
    return text;
  }

  private void reset() {
    length = 0;
    sawCr = false;
    bare = false;
    discarding = false;
  }
}
