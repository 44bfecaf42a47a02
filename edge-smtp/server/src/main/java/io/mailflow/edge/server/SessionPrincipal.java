package io.mailflow.edge.server;

import java.util.Objects;

/**
 * SessionPrincipal - who a session is, as Exchange's permission model sees it: anonymous, a mailbox
 * after AUTH, another server of the organization (TLS client certificate or an externally secured
 * connector) or a domain-secure partner. Its permission group decides the session's rights.
 *
 * @param kind which principal
 * @param name the mailbox identity, the server's certificate name or the partner domain; null when anonymous
 *     or externally secured
 */
public record SessionPrincipal(Kind kind, String name) {
  /** The principals, each with the permission group whose rights it gets. */
  public enum Kind { ANONYMOUS, USER, EXCHANGE_SERVER, EXTERNALLY_SECURED, PARTNER }

  public static final SessionPrincipal ANONYMOUS = new SessionPrincipal(Kind.ANONYMOUS, null);
  public static final SessionPrincipal EXTERNALLY_SECURED = new SessionPrincipal(Kind.EXTERNALLY_SECURED, null);

  public SessionPrincipal {
    Objects.requireNonNull(kind, "kind");
  }

  public static SessionPrincipal user(String identity) {
    return identity == null ? ANONYMOUS : new SessionPrincipal(Kind.USER, identity);
  }

  public static SessionPrincipal server(String certificateName) {
    return new SessionPrincipal(Kind.EXCHANGE_SERVER, certificateName);
  }

  public static SessionPrincipal partner(String domain) {
    return new SessionPrincipal(Kind.PARTNER, domain);
  }

  public boolean authenticated() {
    return kind != Kind.ANONYMOUS;
  }

  /** How the protocol log and {@code mailflow connectors explain} name it (Exchange's principal names). */
  public String describe() {
    return switch (kind) {
      case ANONYMOUS -> "anonymous (NT AUTHORITY\\ANONYMOUS LOGON)";
      case USER -> name;
      case EXCHANGE_SERVER -> name + " (Exchange Servers, TLS client certificate)";
      case EXTERNALLY_SECURED -> "MS Exchange\\Externally Secured Servers (ExternalAuthoritative)";
      case PARTNER -> name + " (MS Exchange\\Partner Servers, domain secure)";
    };
  }
}
