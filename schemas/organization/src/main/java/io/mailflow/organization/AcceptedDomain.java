package io.mailflow.organization;

import java.util.Locale;

/**
 * AcceptedDomain - an SMTP namespace the organization accepts mail for (Exchange's Get-AcceptedDomain).
 *
 * @param domainName {@code contoso.com} or a wildcard {@code *.contoso.com}
 * @param type Authoritative, InternalRelay or ExternalRelay
 * @param isDefault the domain of postmaster and system messages
 */
public record AcceptedDomain(String domainName, DomainType type, boolean isDefault) {

  public enum DomainType { Authoritative, InternalRelay, ExternalRelay }

  public AcceptedDomain {
    domainName = domainName.toLowerCase(Locale.ROOT);
  }

  /** Whether this accepted domain covers the (lower-case) domain. A wildcard covers subdomains only. */
  public boolean covers(String domain) {
    if (domainName.startsWith("*.")) {
      return domain.endsWith(domainName.substring(1));
    }
    return domain.equals(domainName);
  }

  /** Longer (more specific) names win; an exact name beats a wildcard of the same length. */
  int specificity() {
    return domainName.startsWith("*.") ? domainName.length() * 2 - 3 : domainName.length() * 2;
  }
}
