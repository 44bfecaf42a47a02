package io.mailflow.organization;

import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.MessageRateSource;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import java.util.List;
import java.util.Set;

/**
 * DefaultReceiveConnectors - the receive connectors a server gets when the organization file has no
 * {@code receiveConnectors} key: Exchange 2019's Front End Transport set, adapted.
 *
 * <ul>
 *   <li>{@code Default Frontend <server>}, port 25: AnonymousUsers and ExchangeServers, STARTTLS; anyone may
 *       send to the accepted domains (Exchange's also lists ExchangeLegacyServers, Integrated and BasicAuth,
 *       which mailflow has not; ExchangeServer authentication needs trusted certificates, so it is left out);
 *   <li>{@code Client Frontend <server>}, port 587: ExchangeUsers, AUTH only after STARTTLS, 5 messages a
 *       minute per user (Exchange's MessageRateLimit on this connector);
 *   <li>{@code Client Frontend TLS <server>}, port 465: the same with TLS from the first byte (RFC 8314).
 *       Exchange has no such connector by default; mail clients expect one.
 * </ul>
 * Each listens on every IPv4 address ({@code 0.0.0.0}); limits are Exchange's defaults.
 */
public final class DefaultReceiveConnectors {
  public static final int SMTP_PORT = 25;
  public static final int SUBMISSION_PORT = 587;
  public static final int SUBMISSIONS_PORT = 465;
  /** Exchange's MessageRateLimit on Client Frontend: messages per minute per user. */
  public static final int CLIENT_MESSAGE_RATE_LIMIT = 5;
  static final String ANY_ADDRESS = "0.0.0.0";

  private DefaultReceiveConnectors() {}

  public static String frontendName(String serverName) {
    return "Default Frontend " + serverName;
  }

  public static String clientName(String serverName) {
    return "Client Frontend " + serverName;
  }

  public static String clientTlsName(String serverName) {
    return "Client Frontend TLS " + serverName;
  }

  /** The three connectors for {@code serverName}, naming themselves {@code fqdn} in greetings. */
  public static List<ReceiveConnector> of(String serverName, String fqdn) {
    Set<AuthMechanism> clientAuth = Set.of(AuthMechanism.Tls, AuthMechanism.BasicAuth, AuthMechanism.BasicAuthRequireTLS);
    return List.of(
        connector(frontendName(serverName), SMTP_PORT, Set.of(PermissionGroup.AnonymousUsers,
            PermissionGroup.ExchangeServers), Set.of(AuthMechanism.Tls), fqdn, false),
        connector(clientName(serverName), SUBMISSION_PORT, Set.of(PermissionGroup.ExchangeUsers), clientAuth, fqdn,
            false).withMessageRate(CLIENT_MESSAGE_RATE_LIMIT, MessageRateSource.User),
        connector(clientTlsName(serverName), SUBMISSIONS_PORT, Set.of(PermissionGroup.ExchangeUsers), clientAuth, fqdn,
            true).withMessageRate(CLIENT_MESSAGE_RATE_LIMIT, MessageRateSource.User));
  }

  private static ReceiveConnector connector(String name, int port, Set<PermissionGroup> groups,
      Set<AuthMechanism> auth, String fqdn, boolean implicitTls) {
    return new ReceiveConnector(name, List.of(new Binding(ANY_ADDRESS, port)),
        ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, groups, auth, fqdn, null, ReceiveConnector.DEFAULT_MAX_MESSAGE_SIZE,
        ReceiveConnector.DEFAULT_MAX_RECIPIENTS_PER_MESSAGE, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE, ReceiveConnector.DEFAULT_MAX_HEADER_SIZE,
        ReceiveConnector.DEFAULT_MAX_PROTOCOL_ERRORS, ReceiveConnector.DEFAULT_CONNECTION_TIMEOUT_SECONDS,
        ReceiveConnector.DEFAULT_CONNECTION_INACTIVITY_TIMEOUT_SECONDS, ReceiveConnector.DEFAULT_PROTOCOL_LOGGING_LEVEL,
        null, implicitTls, ReceiveConnector.DEFAULT_MAX_LOGON_FAILURES, ReceiveConnector.DEFAULT_TARPIT_INTERVAL,
        List.of(), ReceiveConnector.DEFAULT_MESSAGE_RATE_LIMIT, ReceiveConnector.DEFAULT_MESSAGE_RATE_SOURCE, List.of(),
        false);
  }
}
