package io.mailflow.edge.protocol;

import java.util.List;

/**
 * Replies - the catalogue of replies the engine sends, in Exchange 2019's wording so an Exchange
 * admin (and their log tooling) recognises every line.
 */
public final class Replies {
  private Replies() {}

  public static final Reply SENDER_OK = Reply.of(250, "2.1.0", "Sender OK");
  public static final Reply RECIPIENT_OK = Reply.of(250, "2.1.5", "Recipient OK");
  public static final Reply START_MAIL_INPUT = Reply.of(354, null, "Start mail input; end with <CRLF>.<CRLF>");
  public static final Reply RESETTING = Reply.of(250, "2.0.0", "Resetting");
  public static final Reply OK = Reply.of(250, "2.0.0", "OK");
  public static final Reply CLOSING = Reply.of(221, "2.0.0", "Service closing transmission channel");
  public static final Reply CANNOT_VRFY = Reply.of(252, "2.1.5", "Cannot VRFY user");
  public static final Reply READY_TO_START_TLS = Reply.of(220, "2.0.0", "SMTP server ready");
  public static final Reply HELP = new Reply(214, null, List.of(
      "This server supports the following commands:",
      "HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP VRFY NOOP BDAT"));

  public static final Reply AUTH_SUCCEEDED = Reply.of(235, "2.7.0", "Authentication successful");
  public static final Reply AUTH_FAILED = Reply.of(535, "5.7.3", "Authentication unsuccessful");
  /** An AUTH mechanism the server does not offer (RFC 4954). */
  public static final Reply AUTH_MECHANISM_UNKNOWN = Reply.of(504, "5.7.4", "Unrecognized authentication type");
  /** AUTH where the connector offers it only over TLS (BasicAuthRequireTLS; RFC 3207's wording). */
  public static final Reply STARTTLS_FIRST = Reply.of(530, "5.7.0", "Must issue a STARTTLS command first");
  public static final Reply ALREADY_AUTHENTICATED = Reply.of(503, "5.5.1", "Already authenticated");
  public static final Reply AUTH_CANCELLED = Reply.of(501, "5.7.0", "Authentication cancelled");
  public static final Reply AUTH_BAD_BASE64 = Reply.of(501, "5.5.2", "Cannot Base64-decode Client responses");
  /** The credentials could not be checked now (RFC 4954): the client may try again later. */
  public static final Reply AUTH_TEMPORARY_FAILURE = Reply.of(454, "4.7.0", "Temporary authentication failure");
  /** AUTH PLAIN's empty challenge. */
  public static final Reply AUTH_CONTINUE = Reply.of(334, null, "");
  /** AUTH LOGIN's challenges: "Username:" and "Password:" in base64. */
  public static final Reply AUTH_USERNAME = Reply.of(334, null, "VXNlcm5hbWU6");
  public static final Reply AUTH_PASSWORD = Reply.of(334, null, "UGFzc3dvcmQ6");

  public static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.2", "Line too long");
  /** A command line with a CR or LF not part of a CRLF pair (RFC 5321 2.3.8; SMTP smuggling). */
  public static final Reply BARE_NEWLINE_IN_COMMAND =
      Reply.of(500, "5.5.2", "Syntax error, bare CR or LF in command line");
  public static final Reply INVALID_ARGUMENTS = Reply.of(501, "5.5.4", "Invalid arguments");
  public static final Reply INVALID_DOMAIN = Reply.of(501, "5.5.4", "Invalid domain name");
  public static final Reply INVALID_SENDER_ADDRESS = Reply.of(501, "5.1.7", "Invalid address");
  public static final Reply INVALID_RECIPIENT_ADDRESS = Reply.of(501, "5.1.3", "Invalid address");
  public static final Reply NON_ASCII_ADDRESS =
      Reply.of(553, "5.6.7", "Non-ASCII addresses are permitted only with SMTPUTF8");
  public static final Reply BAD_SEQUENCE = Reply.of(503, "5.5.1", "Bad sequence of commands");
  public static final Reply SEND_HELLO_FIRST = Reply.of(503, "5.5.2", "Send hello first");
  public static final Reply SENDER_ALREADY_SPECIFIED = Reply.of(503, "5.5.2", "Sender already specified");
  public static final Reply NEED_MAIL = Reply.of(503, "5.5.2", "Need mail command");
  public static final Reply NEED_RCPT = Reply.of(503, "5.5.2", "Need rcpt command");
  public static final Reply SIZE_EXCEEDED =
      Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
  /**
   * The header section did not end within the octets a message may keep in memory
   * ({@link SmtpConfig#inlineBodyLimit()}) when its body must spill; Exchange's maxHeaderSize reply.
   */
  public static final Reply HEADER_TOO_LARGE = Reply.of(552, "5.3.4", "Message header size exceeds limit");
  /**
   * A text line over 1000 octets including CRLF (RFC 5321 4.5.3.1.6; RFC 5322 2.1.1 for BDAT). 554
   * 5.6.0 (a content error, permanent): the next hop may truncate or refuse such a line, so the
   * message would not arrive intact. The message is read to its end first; the session goes on.
   */
  public static final Reply LINE_TOO_LONG_IN_CONTENT =
      Reply.of(554, "5.6.0", "Message contains a line longer than 1000 octets");
  public static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Too many recipients");
  /**
   * DATA content with a CR or LF outside a CRLF pair. Rejected rather than normalised: such input is
   * how SMTP smuggling hides a second message, and no conforming client sends it (BDAT carries
   * binary content safely). Wording after Exchange Online's 5.6.11.
   */
  public static final Reply BARE_NEWLINE_IN_DATA = Reply.of(550, "5.6.11",
      "Message contains bare CR, which cannot be sent via DATA; use CRLF line endings or BDAT");
  public static final Reply TOO_MANY_ERRORS =
      Reply.of(421, "4.7.0", "Too many errors on this connection, closing transmission channel");
  public static final Reply TIMED_OUT = Reply.of(421, "4.4.1", "Connection timed out");
  /** A hook failed unexpectedly: the client keeps the message and retries. */
  public static final Reply LOCAL_ERROR = Reply.of(451, "4.3.0", "Temporary server error, please try again later");

  /** 500 for a verb the engine does not know (or does not offer, such as STARTTLS without TLS). */
  public static Reply unrecognizedCommand(String verb) {
    return Reply.of(500, "5.3.3", "Unrecognized command '" + printable(verb) + "'");
  }

  /** Reply to a BDAT chunk that is not the last. */
  public static Reply chunkReceived(long octets) {
    return Reply.of(250, "2.6.0", "CHUNK received OK, " + octets + " octets");
  }

  /** Keeps what the client sent from breaking the reply line. */
  private static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    text.codePoints().limit(32).forEach(c -> sb.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
    return sb.toString();
  }
}
