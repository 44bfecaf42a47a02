package io.mailflow.organization;

import java.util.Locale;
import java.util.Optional;

/**
 * ExtendedRight - an Exchange receive-connector permission (an Active Directory extended right) a
 * session holds, by its permission groups and by explicit grants on the connector.
 *
 * <p>Only the rights mailflow acts on are listed; Exchange's others (Exch50, XShadow, ...) concern
 * Exchange-internal protocols mailflow does not speak.
 */
public enum ExtendedRight {
  /** May submit at all; without it MAIL FROM (and AUTH) fail. */
  SMTP_SUBMIT("ms-Exch-SMTP-Submit", "SMTPSubmit"),
  /** May relay: recipients outside the accepted domains are taken. */
  SMTP_ACCEPT_ANY_RECIPIENT("ms-Exch-SMTP-Accept-Any-Recipient", "SMTPAcceptAnyRecipient"),
  /** Skips the sender spoofing check: any MAIL FROM. */
  SMTP_ACCEPT_ANY_SENDER("ms-Exch-SMTP-Accept-Any-Sender", "SMTPAcceptAnySender"),
  /** May use senders in the organization's authoritative domains. */
  SMTP_ACCEPT_AUTHORITATIVE_DOMAIN_SENDER("ms-Exch-SMTP-Accept-Authoritative-Domain-Sender",
      "SMTPAcceptAuthoritativeDomainSender"),
  /** Messages skip anti-spam agents. */
  BYPASS_ANTI_SPAM("ms-Exch-Bypass-Anti-Spam", "BypassAntiSpam"),
  /** Received: headers are kept and trusted for hop counting. */
  ACCEPT_HEADERS_ROUTING("ms-Exch-Accept-Headers-Routing", "AcceptRoutingHeaders");

  private final String exchangeName;
  private final String sessionPermission;

  ExtendedRight(String exchangeName, String sessionPermission) {
    this.exchangeName = exchangeName;
    this.sessionPermission = sessionPermission;
  }

  /** The name Exchange's Add-ADPermission uses, e.g. {@code ms-Exch-SMTP-Submit}. */
  public String exchangeName() {
    return exchangeName;
  }

  /** The word Exchange's protocol log prints in its "Set Session Permissions" line, e.g. {@code SMTPSubmit}. */
  public String sessionPermission() {
    return sessionPermission;
  }

  /** The right with this Exchange name, compared without case. */
  public static Optional<ExtendedRight> byExchangeName(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (ExtendedRight right : values()) {
      if (right.exchangeName.toLowerCase(Locale.ROOT).equals(wanted)) {
        return Optional.of(right);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return exchangeName;
  }
}
