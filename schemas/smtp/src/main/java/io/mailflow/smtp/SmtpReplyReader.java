package io.mailflow.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * SmtpReplyReader - assembles reply lines, as they arrive from the wire, into complete (possibly
 * multi-line) {@link SmtpReply replies} (RFC 5321 section 4.2).
 *
 * <p>Feed it one line at a time without its line ending; it answers {@code null} until the last line
 * of a reply ({@code 250 text}, after any {@code 250-text} lines) arrives. Not thread-safe: one
 * reader per connection, fed from that connection's event loop.
 */
public final class SmtpReplyReader {

  /** Replies longer than this are a broken or hostile server, not a capability list. */
  public static final int DEFAULT_MAX_LINES = 1000;

  private final int maxLines;
  private final List<String> texts = new ArrayList<>();
  private int code = -1;

  public SmtpReplyReader() {
    this(DEFAULT_MAX_LINES);
  }

  public SmtpReplyReader(int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    this.maxLines = maxLines;
  }

  /** Parses a whole reply given as its wire lines (without CRLF); the last line must end the reply. */
  public static SmtpReply parse(List<String> wireLines) {
    SmtpReplyReader reader = new SmtpReplyReader();
    SmtpReply reply = null;
    for (int i = 0; i < wireLines.size(); i++) {
      if (reply != null) {
        throw new MalformedReplyException(
            "reply ended at line " + i + " but " + (wireLines.size() - i) + " more line(s) follow: '"
                + wireLines.get(i) + "'");
      }
      reply = reader.accept(wireLines.get(i));
    }
    if (reply == null) {
      throw new MalformedReplyException(
          "reply is incomplete: " + wireLines.size() + " line(s), none without '-' after the code");
    }
    return reply;
  }

  /** True while some lines of a multi-line reply have arrived but not its last line. */
  public boolean inProgress() {
    return code != -1;
  }

  /**
   * Takes the next wire line.
   *
   * @return the complete reply when {@code line} was its last line, else {@code null}
   * @throws MalformedReplyException when the line is not a reply line, or a continuation line
   *     carries a different code; the reader is reset and can take the next reply
   */
  public SmtpReply accept(String line) {
    try {
      return acceptLine(line);
    } catch (MalformedReplyException e) {
      reset();
      throw e;
    }
  }

  private SmtpReply acceptLine(String line) {
    int lineNumber = texts.size() + 1;
    if (line.length() < 3) {
      throw new MalformedReplyException("reply line " + lineNumber + " is too short for a code: '" + line + "'");
    }
    int lineCode = parseCode(line, lineNumber);
    if (code != -1 && lineCode != code) {
      throw new MalformedReplyException("reply line " + lineNumber + " has code " + lineCode
          + " but the reply started with " + code + ": '" + line + "'");
    }
    boolean last;
    String text;
    if (line.length() == 3) {
      last = true;
      text = "";
    } else if (line.charAt(3) == ' ') {
      last = true;
      text = line.substring(4);
    } else if (line.charAt(3) == '-') {
      last = false;
      text = line.substring(4);
    } else {
      throw new MalformedReplyException("reply line " + lineNumber
          + " has '" + line.charAt(3) + "' after the code where ' ' or '-' belongs: '" + line + "'");
    }
    code = lineCode;
    texts.add(text);
    if (!last) {
      if (texts.size() >= maxLines) {
        throw new MalformedReplyException("reply exceeds " + maxLines + " lines without a last line");
      }
      return null;
    }
    SmtpReply reply = build();
    reset();
    return reply;
  }

  private static int parseCode(String line, int lineNumber) {
    char c0 = line.charAt(0);
    char c1 = line.charAt(1);
    char c2 = line.charAt(2);
    if (c0 < '2' || c0 > '5' || c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9') {
      throw new MalformedReplyException(
          "reply line " + lineNumber + " does not start with a code 200..599: '" + line + "'");
    }
    return (c0 - '0') * 100 + (c1 - '0') * 10 + (c2 - '0');
  }

  // RFC 2034: the enhanced status appears at the start of every line's text; it is taken from the
  // first line and stripped from each line that repeats it.
  private SmtpReply build() {
    String status = EnhancedStatusCode.leading(texts.get(0));
    if (!EnhancedStatusCode.fits(status, code)) {
      status = "";
    }
    List<String> lines = new ArrayList<>(texts.size());
    for (String text : texts) {
      if (!status.isEmpty() && text.startsWith(status)
          && (text.length() == status.length() || text.charAt(status.length()) == ' ')) {
        lines.add(text.length() == status.length() ? "" : text.substring(status.length() + 1));
      } else {
        lines.add(text);
      }
    }
    return new SmtpReply(code, status, lines);
  }

  private void reset() {
    code = -1;
    texts.clear();
  }
}
