package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.List;

/**
 * Replies - the catalogue of replies the engine sends, in Exchange 2019's wording so an Exchange
 * admin (and their log tooling) recognises every line.
 */
public final class Replies {
  private Replies() {}

  public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Sender OK");
  public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Recipient OK");
  public static final SmtpReply START_MAIL_INPUT = SmtpReply.of(354, "", "Start mail input; end with <CRLF>.<CRLF>");
  public static final SmtpReply RESETTING = SmtpReply.of(250, "2.0.0", "Resetting");
  public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "OK");
  public static final SmtpReply CLOSING = SmtpReply.of(221, "2.0.0", "Service closing transmission channel");
  public static final SmtpReply CANNOT_VRFY = SmtpReply.of(252, "2.1.5", "Cannot VRFY user");
  public static final SmtpReply READY_TO_START_TLS = SmtpReply.of(220, "2.0.0", "SMTP server ready");
  public static final SmtpReply HELP = new SmtpReply(214, "", List.of(
      "This server supports the following commands:",
      "HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP VRFY NOOP BDAT"));

  public static final SmtpReply AUTH_SUCCEEDED = SmtpReply.of(235, "2.7.0", "Authentication successful");
  public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.3", "Authentication unsuccessful");
  /** An AUTH mechanism the server does not offer (RFC 4954). */
  public static final SmtpReply AUTH_MECHANISM_UNKNOWN = SmtpReply.of(504, "5.7.4", "Unrecognized authentication type");
  /** AUTH where the connector offers it only over TLS (BasicAuthRequireTLS; RFC 3207's wording). */
  public static final SmtpReply STARTTLS_FIRST = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
  public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Already authenticated");
  public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.7.0", "Authentication cancelled");
  public static final SmtpReply AUTH_BAD_BASE64 = SmtpReply.of(501, "5.5.2", "Cannot Base64-decode Client responses");
  /** The credentials could not be checked now (RFC 4954): the client may try again later. */
  public static final SmtpReply AUTH_TEMPORARY_FAILURE = SmtpReply.of(454, "4.7.0", "Temporary authentication failure");
  /** AUTH PLAIN's empty challenge. */
  public static final SmtpReply AUTH_CONTINUE = SmtpReply.of(334, "", "");
  /** AUTH LOGIN's challenges: "Username:" and "Password:" in base64. */
  public static final SmtpReply AUTH_USERNAME = SmtpReply.of(334, "", "VXNlcm5hbWU6");
  public static final SmtpReply AUTH_PASSWORD = SmtpReply.of(334, "", "UGFzc3dvcmQ6");

  public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Line too long");
  /** A command line with a CR or LF not part of a CRLF pair (RFC 5321 2.3.8; SMTP smuggling). */
  public static final SmtpReply BARE_NEWLINE_IN_COMMAND =
      SmtpReply.of(500, "5.5.2", "Syntax error, bare CR or LF in command line");
  public static final SmtpReply INVALID_ARGUMENTS = SmtpReply.of(501, "5.5.4", "Invalid arguments");
  public static final SmtpReply INVALID_DOMAIN = SmtpReply.of(501, "5.5.4", "Invalid domain name");
  public static final SmtpReply INVALID_SENDER_ADDRESS = SmtpReply.of(501, "5.1.7", "Invalid address");
  public static final SmtpReply INVALID_RECIPIENT_ADDRESS = SmtpReply.of(501, "5.1.3", "Invalid address");
  public static final SmtpReply NON_ASCII_ADDRESS =
      SmtpReply.of(553, "5.6.7", "Non-ASCII addresses are permitted only with SMTPUTF8");
  public static final SmtpReply BAD_SEQUENCE = SmtpReply.of(503, "5.5.1", "Bad sequence of commands");
  public static final SmtpReply SEND_HELLO_FIRST = SmtpReply.of(503, "5.5.2", "Send hello first");
  public static final SmtpReply SENDER_ALREADY_SPECIFIED = SmtpReply.of(503, "5.5.2", "Sender already specified");
  public static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.2", "Need mail command");
  public static final SmtpReply NEED_RCPT = SmtpReply.of(503, "5.5.2", "Need rcpt command");
  public static final SmtpReply SIZE_EXCEEDED =
      SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
  /**
   * The header section did not end within the octets a message may keep in memory
   * ({@link SmtpConfig#inlineBodyLimit()}) when its body must spill; Exchange's maxHeaderSize reply.
   */
  public static final SmtpReply HEADER_TOO_LARGE = SmtpReply.of(552, "5.3.4", "Message header size exceeds limit");
  /**
   * A text line over 1000 octets including CRLF (RFC 5321 4.5.3.1.6; RFC 5322 2.1.1 for BDAT). 554
   * 5.6.0 (a content error, permanent): the next hop may truncate or refuse such a line, so the
   * message would not arrive intact. The message is read to its end first; the session goes on.
   */
  public static final SmtpReply LINE_TOO_LONG_IN_CONTENT =
      SmtpReply.of(554, "5.6.0", "Message contains a line longer than 1000 octets");
  public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");
  /**
   * DATA content with a CR or LF outside a CRLF pair. Rejected rather than normalised: such input is
   * how SMTP smuggling hides a second message, and no conforming client sends it (BDAT carries
   * binary content safely). Wording after Exchange Online's 5.6.11.
   */
  public static final SmtpReply BARE_NEWLINE_IN_DATA = SmtpReply.of(550, "5.6.11",
      "Message contains bare CR, which cannot be sent via DATA; use CRLF line endings or BDAT");
  public static final SmtpReply TOO_MANY_ERRORS =
      SmtpReply.of(421, "4.7.0", "Too many errors on this connection, closing transmission channel");
  public static final SmtpReply TIMED_OUT = SmtpReply.of(421, "4.4.1", "Connection timed out");
  /** A hook failed unexpectedly: the client keeps the message and retries. */
  public static final SmtpReply LOCAL_ERROR = SmtpReply.of(451, "4.3.0", "Temporary server error, please try again later");

  /** 500 for a verb the engine does not know (or does not offer, such as STARTTLS without TLS). */
  public static SmtpReply unrecognizedCommand(String verb) {
    return SmtpReply.of(500, "5.3.3", "Unrecognized command '" + printable(verb) + "'");
  }

  /** SmtpReply to a BDAT chunk that is not the last. */
  public static SmtpReply chunkReceived(long octets) {
    return SmtpReply.of(250, "2.6.0", "CHUNK received OK, " + octets + " octets");
  }

  /** Keeps what the client sent from breaking the reply line. */
  private static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    text.codePoints().limit(32).forEach(c -> sb.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
    return sb.toString();
  }
}
