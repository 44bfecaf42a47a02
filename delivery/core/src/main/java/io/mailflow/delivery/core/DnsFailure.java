package io.mailflow.delivery.core;

import io.mailflow.smtp.SmtpReply;
import java.util.Locale;
import java.util.Objects;

/**
 * DnsFailure - why a DNS lookup for a next-hop domain gave no host to connect to, and whether that is
 * for good (the domain does not exist or takes no mail: 550 5.4.4, a DSN) or for now (the DNS server
 * failed or did not answer: 451 4.4.0, a retry), worded like Exchange's SMTPSEND.DNS errors.
 *
 * @param kind what the lookup found
 * @param name the name that was looked up
 * @param detail the resolver's words, may be empty
 */
public record DnsFailure(Kind kind, String name, String detail) {

  /** The outcomes of a lookup that leave nothing to connect to. */
  public enum Kind {
    /** NXDOMAIN: the domain does not exist. */
    NON_EXISTENT_DOMAIN(true),
    /** RFC 7505 null MX ({@code 0 .}): the domain accepts no mail. */
    NULL_MX(true),
    /** The domain exists but has no MX and no A/AAAA record. */
    NO_ADDRESS(true),
    /** SERVFAIL, REFUSED or another error code from the DNS server. */
    SERVER_FAILURE(false),
    /** No answer within the query timeout, or the DNS server could not be reached. */
    TIMED_OUT(false);

    private final boolean permanent;

    Kind(boolean permanent) {
      this.permanent = permanent;
    }
  }

  public DnsFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    detail = detail == null ? "" : detail;
  }

  /**
   * A failed query by the DNS response code's name ({@code NXDOMAIN}, {@code SERVFAIL}, ...): only NXDOMAIN
   * is final; any other code may be a passing fault of the server.
   */
  public static DnsFailure fromResponseCode(String responseCode, String name) {
    String code = responseCode == null ? "" : responseCode.strip().toUpperCase(Locale.ROOT);
    return code.equals("NXDOMAIN")
        ? new DnsFailure(Kind.NON_EXISTENT_DOMAIN, name, code)
        : new DnsFailure(Kind.SERVER_FAILURE, name, code.isEmpty() ? "unknown response code" : code);
  }

  public boolean permanent() {
    return kind.permanent;
  }

  /** The reply that stands for this failure in outcomes, tracking events and DSNs. */
  public SmtpReply reply() {
    String cause = detail.isEmpty() ? "" : " (" + detail + ")";
    return switch (kind) {
      case NON_EXISTENT_DOMAIN -> SmtpReply.of(550, "5.4.4",
          "SMTPSEND.DNS.NonExistentDomain; nonexistent domain " + name + cause);
      case NULL_MX -> SmtpReply.of(550, "5.4.4",
          "SMTPSEND.DNS.NullMxRecord; domain " + name + " accepts no mail (null MX, RFC 7505)");
      case NO_ADDRESS -> SmtpReply.of(550, "5.4.4",
          "SMTPSEND.DNS.NoData; " + name + " has no MX, A or AAAA record" + cause);
      case SERVER_FAILURE -> SmtpReply.of(451, "4.4.0",
          "DNS query failed. The error was: SMTPSEND.DNS.ServerFailure; DNS server failure looking up " + name
              + cause);
      case TIMED_OUT -> SmtpReply.of(451, "4.4.0",
          "DNS query failed. The error was: SMTPSEND.DNS.Timeout; no answer looking up " + name + cause);
    };
  }

  /** The outcome for one recipient: permanent (DSN) or transient (retry). */
  public DeliveryOutcome outcomeFor(String recipient) {
    return permanent() ? new DeliveryOutcome.Permanent(recipient, reply())
        : new DeliveryOutcome.Transient(recipient, reply());
  }
}
