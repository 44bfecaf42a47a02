package io.mailflow.smtp;

import java.util.regex.Pattern;

/**
 * EnhancedStatusCode - the RFC 3463 status code an SMTP reply may carry after its reply code
 * ({@code 5.1.1}): class 2, 4 or 5, then subject and detail of up to three digits each.
 *
 * <p>Replies keep it as a string; this class says which strings are one and whether one fits a reply code.
 */
public final class EnhancedStatusCode {

  private static final Pattern SYNTAX = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  private EnhancedStatusCode() {}

  /** True when {@code token} is an RFC 3463 status code, e.g. {@code 5.7.60}. */
  public static boolean isWellFormed(String token) {
    return token != null && SYNTAX.matcher(token).matches();
  }

  /** True when {@code status} is well formed and its class is the reply code's first digit (5.x.x for 5yz). */
  public static boolean fits(String status, int replyCode) {
    return isWellFormed(status) && status.charAt(0) - '0' == replyCode / 100;
  }

  /** The status code that starts {@code text} (up to the first space), or "" when the text starts otherwise. */
  public static String leading(String text) {
    int space = text.indexOf(' ');
    String first = space < 0 ? text : text.substring(0, space);
    return isWellFormed(first) ? first : "";
  }
}
