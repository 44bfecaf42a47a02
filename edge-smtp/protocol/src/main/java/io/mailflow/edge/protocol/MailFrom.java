package io.mailflow.edge.protocol;

import io.mailflow.smtp.BodyType;
import io.mailflow.smtp.Ret;

/**
 * MailFrom - the parsed MAIL FROM command: reverse path and ESMTP parameters.
 *
 * @param reversePath the sender address without angle brackets; empty for the null sender {@code <>}
 * @param declaredSize the SIZE= parameter, or -1 when the client gave none
 * @param bodyType BODY=, SEVEN_BIT when absent
 * @param smtpUtf8 whether the SMTPUTF8 parameter was given (RFC 6531)
 * @param ret RFC 3461 RET=, or null
 * @param envId RFC 3461 ENVID= as sent (still xtext-encoded), or null
 */
public record MailFrom(String reversePath, long declaredSize, BodyType bodyType, boolean smtpUtf8,
    Ret ret, String envId) {

  public MailFrom {
    if (reversePath == null) {
      throw new IllegalArgumentException("reversePath must not be null; use \"\" for the null sender");
    }
    if (bodyType == null) {
      bodyType = BodyType.SEVEN_BIT;
    }
  }

  /** A sender with no parameters. */
  public static MailFrom of(String reversePath) {
    return new MailFrom(reversePath, -1, BodyType.SEVEN_BIT, false, null, null);
  }

  /** The null reverse path {@code <>} of bounces and other DSNs. */
  public boolean isNullSender() {
    return reversePath.isEmpty();
  }
}
