package io.mailflow.edge.server;

import io.mailflow.organization.Organization;
import io.mailflow.organization.Server;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * OrganizationRelay - tells a relay from another server of the organization from any other client, so
 * the edge may keep that server's network message id (Exchange's
 * {@code X-MS-Exchange-Organization-Network-Message-Id}): the client's IP must be one of the
 * {@code servers[].smtp} addresses. Host names there are not resolved (the event loop must not wait on
 * DNS): only servers configured with an IP address are recognized.
 */
final class OrganizationRelay {
  /** The field delivery adds when it relays to another server of the organization. */
  static final String NETWORK_MESSAGE_ID_HEADER = "X-MS-Exchange-Organization-Network-Message-Id";
  static final String NETWORK_MESSAGE_ID_HEADER_LOWER = NETWORK_MESSAGE_ID_HEADER.toLowerCase(Locale.ROOT);

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

  private final Set<String> serverAddresses = new HashSet<>();

  OrganizationRelay(Organization organization) {
    for (Server server : organization.servers()) {
      normalized(server.smtp().host()).ifPresent(serverAddresses::add);
    }
  }

  /** Whether {@code clientIp} is the address of one of the organization's servers. */
  boolean isServer(String clientIp) {
    return clientIp != null && normalized(clientIp).map(serverAddresses::contains).orElse(false);
  }

  /** The id in the field's value when it is one (a UUID, as the edge makes them); null otherwise. */
  static String networkMessageId(String value) {
    try {
      String id = UUID.fromString(value.strip()).toString();
      return id.equalsIgnoreCase(value.strip()) ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Optional<String> normalized(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IP_LITERAL.matcher(bare).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(bare).getHostAddress()); // a literal: no lookup
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
