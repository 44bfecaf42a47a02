package io.mailflow.edge.protocol;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.Notify;
import io.mailflow.smtp.Ret;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * CommandArguments - parses the arguments of MAIL FROM and RCPT TO with their ESMTP parameters
 * (SIZE, BODY, SMTPUTF8, RET, ENVID; NOTIFY, ORCPT). Pure functions, usable without a session.
 */
public final class CommandArguments {
  private CommandArguments() {}

  /** RFC 3461 4.4: ENVID is at most 100 characters. */
  static final int MAX_ENVID = 100;
  /** RFC 3461 4.2: ORCPT's xtext is at most 500 characters. */
  static final int MAX_ORCPT = 500;

  /**
   * Parses the argument of MAIL (what follows {@code MAIL }), e.g. {@code FROM:<a@b> SIZE=10}.
   *
   * @param esmtp whether the client used EHLO; after HELO no parameters are allowed
   */
  public static MailFrom parseMailFrom(String argument, boolean esmtp) throws SmtpSyntaxException {
    String rest = afterKeyword(argument, "FROM:");
    SmtpPath.Parsed path = SmtpPath.parse(rest, Replies.INVALID_SENDER_ADDRESS);
    long size = -1;
    BodyType body = null;
    boolean smtpUtf8 = false;
    Ret ret = null;
    String envId = null;
    Set<String> seen = new HashSet<>();
    for (String param : parameters(rest.substring(path.end()), esmtp)) {
      String keyword = keyword(param, seen);
      String value = value(param);
      switch (keyword) {
        case "SIZE" -> {
          if (value == null || value.isEmpty() || value.length() > 18
              || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid("SIZE must be a number of octets: " + param);
          }
          size = Long.parseLong(value);
        }
        case "BODY" -> {
          body = value == null ? null : BodyType.fromKeyword(value);
          if (body == null) {
            throw invalid("BODY must be 7BIT, 8BITMIME or BINARYMIME: " + param);
          }
        }
        case "SMTPUTF8" -> {
          if (value != null) {
            throw invalid("SMTPUTF8 takes no value: " + param);
          }
          smtpUtf8 = true;
        }
        case "RET" -> {
          if ("FULL".equalsIgnoreCase(value)) {
            ret = Ret.FULL;
          } else if ("HDRS".equalsIgnoreCase(value)) {
            ret = Ret.HDRS;
          } else {
            throw invalid("RET must be FULL or HDRS: " + param);
          }
        }
        case "ENVID" -> {
          if (value == null || value.isEmpty() || value.length() > MAX_ENVID || !isXtext(value)) {
            throw invalid("ENVID must be xtext of at most " + MAX_ENVID + " characters: " + param);
          }
          envId = value;
        }
        default -> throw invalid("unknown MAIL parameter: " + param);
      }
    }
    if (!smtpUtf8 && SmtpPath.isNonAscii(path.address())) {
      throw new SmtpSyntaxException(Replies.NON_ASCII_ADDRESS, "non-ASCII sender without SMTPUTF8");
    }
    return new MailFrom(path.address(), size, body, smtpUtf8, ret, envId);
  }

  /**
   * Parses the argument of RCPT (what follows {@code RCPT }), e.g. {@code TO:<b@c> NOTIFY=NEVER}.
   *
   * @param smtpUtf8 whether the transaction's MAIL FROM carried SMTPUTF8
   */
  public static RcptTo parseRcptTo(String argument, boolean esmtp, boolean smtpUtf8)
      throws SmtpSyntaxException {
    String rest = afterKeyword(argument, "TO:");
    SmtpPath.Parsed path = SmtpPath.parse(rest, Replies.INVALID_RECIPIENT_ADDRESS);
    if (path.address().isEmpty()) {
      throw new SmtpSyntaxException(Replies.INVALID_RECIPIENT_ADDRESS, "the null path is no recipient");
    }
    Set<Notify> notify = EnumSet.noneOf(Notify.class);
    String orcpt = null;
    Set<String> seen = new HashSet<>();
    for (String param : parameters(rest.substring(path.end()), esmtp)) {
      String keyword = keyword(param, seen);
      String value = value(param);
      switch (keyword) {
        case "NOTIFY" -> notify = notify(value, param);
        case "ORCPT" -> {
          int semi = value == null ? -1 : value.indexOf(';');
          if (semi <= 0 || semi == value.length() - 1 || value.length() > MAX_ORCPT
              || !isXtext(value.substring(semi + 1))) {
            throw invalid("ORCPT must be addr-type;xtext: " + param);
          }
          orcpt = value;
        }
        default -> throw invalid("unknown RCPT parameter: " + param);
      }
    }
    if (!smtpUtf8 && SmtpPath.isNonAscii(path.address())) {
      throw new SmtpSyntaxException(Replies.NON_ASCII_ADDRESS, "non-ASCII recipient without SMTPUTF8");
    }
    return new RcptTo(path.address(), notify, orcpt);
  }

  /** RFC 3461 4.1 xtext: printable ASCII except '+' and '=', with '+XX' hex escapes. */
  public static boolean isXtext(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        if (i + 2 >= s.length() || !isUpperHex(s.charAt(i + 1)) || !isUpperHex(s.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (c < 33 || c > 126 || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static Set<Notify> notify(String value, String param) throws SmtpSyntaxException {
    if (value == null || value.isEmpty()) {
      throw invalid("NOTIFY needs a value: " + param);
    }
    Set<Notify> out = EnumSet.noneOf(Notify.class);
    for (String word : value.split(",", -1)) {
      Notify n;
      try {
        n = Notify.valueOf(word.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid("NOTIFY keyword unknown: " + word);
      }
      if (!out.add(n)) {
        throw invalid("NOTIFY keyword repeated: " + word);
      }
    }
    if (out.contains(Notify.NEVER) && out.size() > 1) {
      throw invalid("NOTIFY=NEVER cannot be combined: " + param);
    }
    return out;
  }

  private static String afterKeyword(String argument, String keyword) throws SmtpSyntaxException {
    if (argument == null || !argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
      throw invalid("expected " + keyword + " in '" + argument + "'");
    }
    return argument.substring(keyword.length()).stripLeading();
  }

  private static String[] parameters(String text, boolean esmtp) throws SmtpSyntaxException {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new String[0];
    }
    if (!text.startsWith(" ")) {
      throw invalid("parameters must follow the path after a space: " + text);
    }
    if (!esmtp) {
      throw invalid("ESMTP parameters after HELO: " + trimmed);
    }
    return trimmed.split(" +");
  }

  private static String keyword(String param, Set<String> seen) throws SmtpSyntaxException {
    int eq = param.indexOf('=');
    String keyword = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
    if (!seen.add(keyword)) {
      throw invalid("parameter repeated: " + keyword);
    }
    return keyword;
  }

  private static String value(String param) {
    int eq = param.indexOf('=');
    return eq < 0 ? null : param.substring(eq + 1);
  }

  private static boolean isUpperHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }

  private static SmtpSyntaxException invalid(String detail) {
    return new SmtpSyntaxException(Replies.INVALID_ARGUMENTS, detail);
  }
}
