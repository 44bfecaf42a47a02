package io.mailflow.routing.graph;

import java.util.Locale;

/**
 * RoutingDestination - what the categorizer resolved a recipient to: a mailbox database (internal
 * recipient) or an external domain (everything a send connector must carry).
 */
public sealed interface RoutingDestination {

  static RoutingDestination database(String name) {
    return new Database(name);
  }

  static RoutingDestination externalDomain(String domain) {
    return new ExternalDomain(domain);
  }

  /** One line for explanations: {@code mailbox database DB01}, {@code external domain fabrikam.com}. */
  String describe();

  /** A mailbox database, by name (matched case-insensitively against the organization). */
  record Database(String name) implements RoutingDestination {
    public Database {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("routing destination: mailbox database name is blank");
      }
    }

    @Override
    public String describe() {
      return "mailbox database " + name;
    }
  }

  /** A recipient domain outside the organization's authoritative domains; kept lower-case. */
  record ExternalDomain(String domain) implements RoutingDestination {
    public ExternalDomain {
      if (domain == null || domain.isBlank()) {
        throw new IllegalArgumentException("routing destination: external domain is blank");
      }
      domain = domain.strip().toLowerCase(Locale.ROOT);
      // The domain becomes a DnsConnectorDelivery key's NextHopDomain, where '/' separates fields.
      if (domain.indexOf('/') >= 0 || domain.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("routing destination: external domain '" + domain
            + "' contains '/' or whitespace");
      }
    }

    @Override
    public String describe() {
      return "external domain " + domain;
    }
  }
}
