package io.mailflow.organization;

import java.util.List;
import java.util.Set;

/**
 * ReceiveConnector - one listener policy of the SMTP edge (Exchange's New-ReceiveConnector).
 *
 * <p>Defaults are Exchange's: maxMessageSize 36 MB, maxRecipientsPerMessage 200, maxInboundConnection
 * 5000, maxInboundConnectionPerSource 20, maxHeaderSize 256 KB, maxProtocolErrors 5,
 * connectionTimeout 10 min, connectionInactivityTimeout 5 min, protocolLoggingLevel None;
 * remoteIpRanges default to everything.
 */
public record ReceiveConnector(
    String name,
    List<Binding> bindings,
    List<String> remoteIpRanges,
    Set<PermissionGroup> permissionGroups,
    Set<AuthMechanism> authMechanisms,
    String fqdn,
    String banner,
    long maxMessageSize,
    int maxRecipientsPerMessage,
    int maxInboundConnection,
    int maxInboundConnectionPerSource,
    int maxHeaderSize,
    int maxProtocolErrors,
    int connectionTimeoutSeconds,
    int connectionInactivityTimeoutSeconds,
    ProtocolLoggingLevel protocolLoggingLevel) {

  public static final long DEFAULT_MAX_MESSAGE_SIZE = 36L * 1024 * 1024;
  public static final int DEFAULT_MAX_RECIPIENTS_PER_MESSAGE = 200;
  public static final int DEFAULT_MAX_INBOUND_CONNECTION = 5000;
  public static final int DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE = 20;
  public static final int DEFAULT_MAX_HEADER_SIZE = 256 * 1024;
  public static final int DEFAULT_MAX_PROTOCOL_ERRORS = 5;
  public static final int DEFAULT_CONNECTION_TIMEOUT_SECONDS = 600;
  public static final int DEFAULT_CONNECTION_INACTIVITY_TIMEOUT_SECONDS = 300;
  public static final List<String> DEFAULT_REMOTE_IP_RANGES = List.of("0.0.0.0-255.255.255.255", "::/0");

  public ReceiveConnector {
    bindings = List.copyOf(bindings);
    remoteIpRanges = List.copyOf(remoteIpRanges);
    permissionGroups = Set.copyOf(permissionGroups);
    authMechanisms = Set.copyOf(authMechanisms);
  }

  public enum PermissionGroup { AnonymousUsers, ExchangeUsers, ExchangeServers, Partners, Custom }

  public enum AuthMechanism { None, Tls, BasicAuth, BasicAuthRequireTLS }

  /** Exchange's ProtocolLoggingLevel: Verbose writes every SMTP line of every session to the protocol log. */
  public enum ProtocolLoggingLevel { None, Verbose }

  /** Exchange's default: protocol logging is off unless the admin turns it on per connector. */
  public static final ProtocolLoggingLevel DEFAULT_PROTOCOL_LOGGING_LEVEL = ProtocolLoggingLevel.None;

  /** An IP address and port the connector listens on. */
  public record Binding(String address, int port) {
    @Override
    public String toString() {
      return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
  }

  /**
   * The remote IP ranges parsed (valid in a loaded organization). Parses on every call: keep the result
   * rather than calling this per connection.
   */
  public List<IpRange> ipRanges() {
    return remoteIpRanges.stream().map(IpRange::parse).toList();
  }

  public boolean allowsAnonymous() {
    return permissionGroups.contains(PermissionGroup.AnonymousUsers);
  }
}
