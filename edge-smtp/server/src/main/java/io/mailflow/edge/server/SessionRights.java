package io.mailflow.edge.server;

import io.mailflow.organization.ConnectorRights;
import io.mailflow.organization.Directory;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SessionRights - the extended rights a session holds on its receive connector: those of the principal
 * the session is (AnonymousUsers before AUTH, ExchangeUsers after, ExchangeServers for a server
 * authenticated by certificate or on an externally secured connector, Partners for a domain-secure
 * partner), computed by the organization's {@link ConnectorRights} (the categorizer asks the same).
 * Safe to share between event loops.
 */
final class SessionRights {
  private final ConnectorRights rights;

  SessionRights(ReceiveConnector connector, Directory directory) {
    this.rights = new ConnectorRights(connector, directory);
  }

  /** The rights of a session that is {@code principal}. */
  Set<ExtendedRight> of(SessionPrincipal principal) {
    return switch (principal.kind()) {
      case ANONYMOUS -> rights.anonymous();
      case USER -> rights.ofUser(principal.name());
      case EXCHANGE_SERVER, EXTERNALLY_SECURED -> rights.ofGroup(PermissionGroup.ExchangeServers);
      case PARTNER -> rights.ofGroup(PermissionGroup.Partners);
    };
  }

  /** The rights of an anonymous session ({@code identity} null) or of one authenticated as {@code identity}. */
  Set<ExtendedRight> of(String identity) {
    return identity == null ? rights.anonymous() : rights.ofUser(identity);
  }

  /** Exchange's words for the protocol log's "Set Session Permissions" line, e.g. {@code SMTPSubmit SMTPAcceptAnySender}. */
  static String describe(Set<ExtendedRight> rights) {
    return rights.isEmpty() ? "None" : rights.stream().sorted().map(ExtendedRight::sessionPermission)
        .collect(Collectors.joining(" "));
  }
}
