package io.mailflow.edge.server;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.organization.PasswordHash;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.Server;
import io.mailflow.organization.Site;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * TestOrganization - contoso.test (Authoritative, mailboxes alice and bob, group team),
 * relay.test (InternalRelay), partner.test (ExternalRelay); receive connectors on ephemeral ports
 * (the YAML loader allows only fixed ports, so the records are built directly).
 */
final class TestOrganization {
  private TestOrganization() {}

  static final String FRONTEND = "Default Frontend EX01";
  static final String CLIENT = "Client Frontend EX01";

  static ReceiveConnector anonymous(String name, long maxMessageSize, int maxRecipients, int inactivitySeconds) {
    return connector(name, Set.of(PermissionGroup.AnonymousUsers, PermissionGroup.ExchangeServers), 0,
        maxMessageSize, maxRecipients, inactivitySeconds);
  }

  static ReceiveConnector connector(String name, Set<PermissionGroup> groups, int port, long maxMessageSize,
      int maxRecipients, int inactivitySeconds) {
    return new ReceiveConnector(name, List.of(new Binding("127.0.0.1", port)),
        ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, groups, Set.of(AuthMechanism.Tls), "",
        null, maxMessageSize, maxRecipients, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE, ReceiveConnector.DEFAULT_MAX_HEADER_SIZE,
        ReceiveConnector.DEFAULT_MAX_PROTOCOL_ERRORS, ReceiveConnector.DEFAULT_CONNECTION_TIMEOUT_SECONDS,
        inactivitySeconds, ReceiveConnector.ProtocolLoggingLevel.Verbose, null, false,
        ReceiveConnector.DEFAULT_MAX_LOGON_FAILURES, ReceiveConnector.DEFAULT_TARPIT_INTERVAL, List.of(),
        ReceiveConnector.DEFAULT_MESSAGE_RATE_LIMIT, ReceiveConnector.DEFAULT_MESSAGE_RATE_SOURCE, List.of(), false);
  }

  /** The default pair: an anonymous frontend (10 000 octets, 3 recipients) and an authenticated-only one. */
  static Organization standard() {
    return with(List.of(
        anonymous(FRONTEND, 10_000, 3, 300),
        connector(CLIENT, Set.of(PermissionGroup.ExchangeUsers), 0, 10_000, 3, 300)));
  }

  static final String ALICE_PASSWORD = "correct horse battery staple";
  static final String BOB_PASSWORD = "Tr0ub4dor&3";
  // the fewest iterations the loader accepts: tests stay fast, the code path is the real one
  static final String ALICE_HASH = PasswordHash.create(ALICE_PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();
  static final String BOB_HASH = PasswordHash.create(BOB_PASSWORD.toCharArray(), PasswordHash.MIN_ITERATIONS).encoded();

  /** A connector with TLS and AUTH settings, on an ephemeral port of 127.0.0.1. */
  static ReceiveConnector secured(String name, Set<PermissionGroup> groups, Set<AuthMechanism> auth,
      ReceiveConnector.Certificate certificate, boolean implicitTls, int maxLogonFailures, Duration tarpit,
      List<ReceiveConnector.Permission> permissions) {
    return new ReceiveConnector(name, List.of(new Binding("127.0.0.1", 0)),
        ReceiveConnector.DEFAULT_REMOTE_IP_RANGES, groups, auth, "", null, 10_000, 3,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE,
        ReceiveConnector.DEFAULT_MAX_HEADER_SIZE, ReceiveConnector.DEFAULT_MAX_PROTOCOL_ERRORS,
        ReceiveConnector.DEFAULT_CONNECTION_TIMEOUT_SECONDS, 300, ReceiveConnector.ProtocolLoggingLevel.Verbose,
        certificate, implicitTls, maxLogonFailures, tarpit, permissions, ReceiveConnector.DEFAULT_MESSAGE_RATE_LIMIT,
        ReceiveConnector.DEFAULT_MESSAGE_RATE_SOURCE, List.of(), false);
  }

  /**
   * A connector with the settings issue 3's limits and selection tests vary: bindings, remote ranges,
   * groups, AUTH, connection limits, header size, message rate and explicit permissions.
   */
  static ReceiveConnector limited(String name, Binding binding, List<String> ranges, Set<PermissionGroup> groups,
      Set<AuthMechanism> auth, String banner, int maxInbound, int maxPerSource, int maxHeaderSize, int rateLimit,
      ReceiveConnector.MessageRateSource rateSource, List<ReceiveConnector.Permission> permissions) {
    return new ReceiveConnector(name, List.of(binding), ranges, groups, auth, "", banner, 100_000, 10,
        maxInbound, maxPerSource, maxHeaderSize, ReceiveConnector.DEFAULT_MAX_PROTOCOL_ERRORS,
        ReceiveConnector.DEFAULT_CONNECTION_TIMEOUT_SECONDS, 300, ReceiveConnector.ProtocolLoggingLevel.Verbose,
        null, false, ReceiveConnector.DEFAULT_MAX_LOGON_FAILURES, Duration.ZERO, permissions, rateLimit, rateSource,
        List.of(), false);
  }

  /** An anonymous connector on {@code binding} for {@code ranges}, greeting with {@code banner}, default limits. */
  static ReceiveConnector ranged(String name, Binding binding, List<String> ranges, String banner) {
    return limited(name, binding, ranges, Set.of(PermissionGroup.AnonymousUsers), Set.of(AuthMechanism.None), banner,
        ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION, ReceiveConnector.DEFAULT_MAX_INBOUND_CONNECTION_PER_SOURCE,
        ReceiveConnector.DEFAULT_MAX_HEADER_SIZE, ReceiveConnector.UNLIMITED,
        ReceiveConnector.DEFAULT_MESSAGE_RATE_SOURCE, List.of());
  }

  /**
   * contoso.test with passwords: alice (Send As on team@contoso.test) and bob (member of
   * relayers@contoso.test); groups team and relayers.
   */
  static Organization withPasswords(List<ReceiveConnector> connectors) {
    Organization base = with(connectors);
    return new Organization(base.serverName(), base.siteName(), base.kafka(), base.acceptedDomains(), connectors,
        base.sendConnectors(), base.sites(), base.siteLinks(), base.servers(), base.databases(),
        List.of(new Mailbox("Alice", "alice@contoso.test", List.of("a.smith@contoso.test"), "DB01", ALICE_HASH,
                List.of("team@contoso.test")),
            new Mailbox("Bob", "bob@contoso.test", List.of(), "DB01", BOB_HASH, List.of())),
        List.of(new DistributionGroup("Team", "team@contoso.test", List.of("alice@contoso.test", "bob@contoso.test")),
            new DistributionGroup("Relayers", "relayers@contoso.test", List.of("bob@contoso.test"))),
        base.contacts(), base.mailUsers(), base.transportConfig());
  }

  static Organization with(List<ReceiveConnector> connectors) {
    return new Organization("EX01", "Default-First-Site-Name", KafkaTopics.defaults(),
        List.of(new AcceptedDomain("contoso.test", DomainType.Authoritative, true),
            new AcceptedDomain("relay.test", DomainType.InternalRelay, false),
            new AcceptedDomain("partner.test", DomainType.ExternalRelay, false)),
        connectors, List.of(),
        List.of(new Site("Default-First-Site-Name", false)), List.of(),
        List.of(new Server("EX01", "Default-First-Site-Name")),
        List.of(new MailboxDatabase("DB01", List.of("EX01"), "EX01", null)),
        List.of(new Mailbox("Alice", "alice@contoso.test", List.of("a.smith@contoso.test"), "DB01"),
            new Mailbox("Bob", "bob@contoso.test", List.of(), "DB01")),
        List.of(new DistributionGroup("Team", "team@contoso.test", List.of("alice@contoso.test", "bob@contoso.test"))),
        List.of(), List.of(), null);
  }
}
