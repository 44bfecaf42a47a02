package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;

/** HeloHandler - EHLO and HELO: checks the client's name, resets the session, lists extensions. */
final class HeloHandler implements CommandHandler {

  @Override
  public List<String> verbs() {
    return List.of("EHLO", "HELO");
  }

  @Override
  public void handle(SessionContext session, String verb, String argument) {
    String name = argument.strip();
    int space = name.indexOf(' ');
    if (space > 0) {
      name = name.substring(0, space); // some clients add a comment after the name
    }
    if (!isHeloName(name)) {
      session.protocolError(Replies.INVALID_DOMAIN);
      return;
    }
    boolean esmtp = verb.equals("EHLO");
    String heloName = name;
    if (!session.allowed(() -> session.hooks().helo(session.info(), heloName))) {
      return;
    }
    session.greeted(name, esmtp);
    SmtpConfig config = session.config();
    String hello = config.fqdn() + " Hello [" + session.info().clientIp() + "]";
    if (!esmtp) {
      session.reply(SmtpReply.of(250, "", hello));
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(hello);
    lines.add("SIZE " + config.maxMessageSize());
    lines.add("PIPELINING");
    lines.add("DSN");
    lines.add("ENHANCEDSTATUSCODES");
    if (config.startTlsOffered() && !session.info().tls()) {
      lines.add("STARTTLS");
    }
    if (config.authAvailable(session.info().tls())) {
      lines.add("AUTH PLAIN LOGIN");
    }
    lines.add("8BITMIME");
    lines.add("BINARYMIME");
    lines.add("CHUNKING");
    lines.add("SMTPUTF8");
    session.reply(new SmtpReply(250, "", lines));
  }

  /** A host name (underscores tolerated: Windows clients use them) or an address literal. */
  static boolean isHeloName(String name) {
    if (name.isEmpty() || name.length() > 255) {
      return false;
    }
    if (name.startsWith("[")) {
      return SmtpPath.isAddressLiteral(name);
    }
    return name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
  }
}
