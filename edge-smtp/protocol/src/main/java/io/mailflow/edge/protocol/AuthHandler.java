package io.mailflow.edge.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * AuthHandler - AUTH PLAIN and LOGIN (RFC 4954, 4616): decodes the client's responses and hands the
 * credentials to the session, which asks its hooks. Offered after EHLO, outside a transaction, once
 * per session, and only over TLS where the connector says so.
 */
final class AuthHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("AUTH");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    SmtpConfig config = session.config();
    if (!config.authOffered()) {
      session.protocolError(Replies.unrecognizedCommand(verb));
      return;
    }
    if (!session.info().greeted()) {
      session.reply(Replies.SEND_HELLO_FIRST);
      return;
    }
    if (session.info().authenticated()) {
      session.reply(Replies.ALREADY_AUTHENTICATED);
      return;
    }
    if (session.mailFrom() != null) {
      session.reply(Replies.BAD_SEQUENCE); // RFC 4954 4: not during a mail transaction
      return;
    }
    if (!config.authAvailable(session.info().tls())) {
      session.reply(Replies.STARTTLS_FIRST);
      return;
    }
    String[] words = argument.strip().split(" +");
    if (words[0].isEmpty() || words.length > 2) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    String mechanism = words[0].toUpperCase(Locale.ROOT);
    String initial = words.length == 2 ? words[1] : null;
    switch (mechanism) {
      case "PLAIN" -> {
        if (initial == null) {
          session.challenge(Replies.AUTH_CONTINUE, response -> plain(session, response));
        } else {
          plain(session, initial.equals("=") ? "" : initial); // "=" is an empty initial response
        }
      }
      case "LOGIN" -> {
        if (initial == null) {
          session.challenge(Replies.AUTH_USERNAME, user -> login(session, user));
        } else {
          login(session, initial);
        }
      }
      default -> session.reply(Replies.AUTH_MECHANISM_UNKNOWN);
    }
  }

  /** PLAIN: base64 of authzid NUL authcid NUL password; an authzid other than the authcid is refused. */
  private static void plain(SessionContext session, String response) {
    if (cancelled(session, response)) {
      return;
    }
    byte[] decoded = decode(session, response);
    if (decoded == null) {
      return;
    }
    int first = indexOf(decoded, 0);
    int second = first < 0 ? -1 : indexOf(decoded, first + 1);
    if (second < 0 || indexOf(decoded, second + 1) >= 0) {
      Arrays.fill(decoded, (byte) 0);
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    String authzid = utf8(decoded, 0, first);
    String authcid = utf8(decoded, first + 1, second);
    char[] password = chars(decoded, second + 1, decoded.length);
    Arrays.fill(decoded, (byte) 0);
    if (authzid == null || authcid == null || password == null) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
      // acting for another identity is not offered: a failed logon like any other
      session.authenticate("PLAIN", authzid, new char[0]);
      Arrays.fill(password, '\0');
      return;
    }
    session.authenticate("PLAIN", authcid, password);
  }

  /** LOGIN: the user name, then (after a second challenge) the password, each in base64. */
  private static void login(SessionContext session, String userResponse) {
    if (cancelled(session, userResponse)) {
      return;
    }
    byte[] decoded = decode(session, userResponse);
    if (decoded == null) {
      return;
    }
    String user = utf8(decoded, 0, decoded.length);
    if (user == null) {
      session.protocolError(Replies.INVALID_ARGUMENTS);
      return;
    }
    session.challenge(Replies.AUTH_PASSWORD, passwordResponse -> {
      if (cancelled(session, passwordResponse)) {
        return;
      }
      byte[] secret = decode(session, passwordResponse);
      if (secret == null) {
        return;
      }
      char[] password = chars(secret, 0, secret.length);
      Arrays.fill(secret, (byte) 0);
      if (password == null) {
        session.protocolError(Replies.INVALID_ARGUMENTS);
        return;
      }
      session.authenticate("LOGIN", user, password);
    });
  }

  private static boolean cancelled(SessionContext session, String response) {
    if (response.strip().equals("*")) {
      session.reply(Replies.AUTH_CANCELLED);
      return true;
    }
    return false;
  }

  private static byte[] decode(SessionContext session, String response) {
    try {
      return Base64.getDecoder().decode(response.strip());
    } catch (IllegalArgumentException e) {
      session.protocolError(Replies.AUTH_BAD_BASE64);
      return null;
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String utf8(byte[] bytes, int from, int to) {
    char[] chars = chars(bytes, from, to);
    return chars == null ? null : new String(chars);
  }

  /** Strict UTF-8 (RFC 4616): malformed input is null rather than replaced. */
  private static char[] chars(byte[] bytes, int from, int to) {
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, from, to - from));
      char[] out = new char[decoded.remaining()];
      decoded.get(out);
      Arrays.fill(decoded.array(), '\0');
      return out;
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
