package io.mailflow.edge.server;

import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.AcceptedDomain.DomainType;
import io.mailflow.organization.DistributionGroup;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Mailbox;
import io.mailflow.organization.MailboxDatabase;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.ReceiveConnector.PermissionGroup;
import io.mailflow.organization.Server;
import io.mailflow.organization.Site;
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
        inactivitySeconds, ReceiveConnector.ProtocolLoggingLevel.Verbose);
  }

  /** The default pair: an anonymous frontend (10 000 octets, 3 recipients) and an authenticated-only one. */
  static Organization standard() {
    return with(List.of(
        anonymous(FRONTEND, 10_000, 3, 300),
        connector(CLIENT, Set.of(PermissionGroup.ExchangeUsers), 0, 10_000, 3, 300)));
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
        List.of(new DistributionGroup("Team", "team@contoso.test", List.of("alice@contoso.test", "bob@contoso.test"))));
  }
}
