package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.smtp.SendProtocolLog;
import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.delivery.agent.smtp.SendResult;
import io.mailflow.delivery.agent.smtp.SmtpClient;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.agent.smtp.SmartHostAuth;
import io.mailflow.delivery.agent.smtp.TlsPolicy;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.SmartHost;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;

/**
 * SmartHostRelay - sends a message through a send connector's smart hosts, in the order configured,
 * moving to the next host only while nothing has been handed over (no connection, refused greeting
 * or HELO): once a host took MAIL FROM its answers stand.
 *
 * <p>One SMTP client per EHLO name (the connector's Fqdn, else this server's name); connections per
 * smart host are capped by the {@link DestinationLimiter}. Runs on the stage's context.
 */
final class SmartHostRelay {

  private final Vertx vertx;
  private final SmtpClientOptions template;
  private final DestinationLimiter limiter;
  private final Map<ClientKey, SmtpClient> clientsByHeloName = new ConcurrentHashMap<>(); // read by the meters' gauge

  SmartHostRelay(Vertx vertx, SmtpClientOptions template, DestinationLimiter limiter) {
    this.vertx = vertx;
    this.template = new SmtpClientOptions(template);
    this.limiter = limiter;
  }

  /** The last session's result and every endpoint tried, in order. */
  record Relayed(SendResult result, List<String> endpointsTried) {}

  Future<Relayed> relay(SendConnector connector, String heloName, OutboundMessage message) {
    if (connector.smartHosts().isEmpty()) {
      throw new IllegalArgumentException("send connector '" + connector.name() + "' has no smart hosts");
    }
    return relay(connector.smartHosts(), heloName, connector.security(), message);
  }

  /** Through {@code hosts} in order, opportunistic TLS, no AUTH. */
  Future<Relayed> relay(List<SmartHost> hosts, String heloName, OutboundMessage message) {
    return relay(hosts, heloName, SendConnector.Security.DEFAULT, message);
  }

  /**
   * The STARTTLS/AUTH settings of the send connector {@code connectorId} names in {@code organization};
   * the defaults (opportunistic TLS, no AUTH) for the intra-organization connector or an unknown name.
   */
  static SendConnector.Security security(io.mailflow.organization.Organization organization, String connectorId) {
    for (SendConnector c : organization.sendConnectors()) {
      if (c.name().equals(connectorId)) {
        return c.security();
      }
    }
    return SendConnector.Security.DEFAULT;
  }

  /**
   * Through {@code hosts} in order, with the same failover rule (also other servers' endpoints: SiteRelay
   * and MX hosts), using the connector's STARTTLS and AUTH settings ({@code security}).
   */
  Future<Relayed> relay(List<SmartHost> hosts, String heloName, SendConnector.Security security,
      OutboundMessage message) {
    return relay(hosts, heloName, security, SendProtocolLog.NONE, message);
  }

  /** As {@link #relay(List, String, SendConnector.Security, OutboundMessage)}, the sessions logged to {@code log}. */
  Future<Relayed> relay(List<SmartHost> hosts, String heloName, SendConnector.Security security, SendProtocolLog log,
      OutboundMessage message) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("no hosts to relay to");
    }
    // one client (connection cache) per HELO name and security setting: a kept connection carries its TLS/AUTH state
    // and protocol log (one per connector: its connector-id is on every line)
    SmtpClient client = clientsByHeloName.computeIfAbsent(new ClientKey(heloName, security, log),
        key -> SmtpClient.create(vertx, new SmtpClientOptions(template).setHeloName(heloName)
            .setTls(tlsPolicy(security)).setAuth(auth(security)).setProtocolLog(log)));
    return tryFrom(0, hosts, client, message, new ArrayList<>());
  }

  private record ClientKey(String heloName, SendConnector.Security security, SendProtocolLog log) {}

  private static TlsPolicy tlsPolicy(SendConnector.Security s) {
    if (!s.requireTls()) {
      return TlsPolicy.OPPORTUNISTIC;
    }
    TlsPolicy.AuthLevel level = switch (s.tlsAuthLevel()) {
      case EncryptionOnly -> TlsPolicy.AuthLevel.ENCRYPTION_ONLY;
      case CertificateValidation -> TlsPolicy.AuthLevel.CERTIFICATE_VALIDATION;
      case DomainValidation -> TlsPolicy.AuthLevel.DOMAIN_VALIDATION;
    };
    return TlsPolicy.required(level, s.tlsDomain(), s.trustedCertificates());
  }

  private static SmartHostAuth auth(SendConnector.Security s) {
    return switch (s.smartHostAuthMechanism()) {
      case None -> SmartHostAuth.NONE;
      case BasicAuth -> SmartHostAuth.basic(s.credential().username(), s.credential().password(), false);
      case BasicAuthRequireTLS -> SmartHostAuth.basic(s.credential().username(), s.credential().password(), true);
    };
  }

  private Future<Relayed> tryFrom(int index, List<SmartHost> hosts, SmtpClient client, OutboundMessage message,
      List<String> tried) {
    SmartHost host = hosts.get(index);
    String destination = host.host() + ":" + host.port();
    return limiter.acquire(destination)
        .compose(v -> client.send(host.host(), host.port(), message)
            .onComplete(ar -> limiter.release(destination)))
        .compose(result -> {
          tried.add(result.endpoint());
          if (result.tryAnotherHost() && index + 1 < hosts.size()) {
            return tryFrom(index + 1, hosts, client, message, tried);
          }
          return Future.succeededFuture(new Relayed(result, List.copyOf(tried)));
        });
  }

  /** Outbound SMTP connections open now over every client (each EHLO name and security). */
  int openConnections() {
    int open = 0;
    for (SmtpClient client : clientsByHeloName.values()) {
      open += client.openConnections();
    }
    return open;
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (SmtpClient client : clientsByHeloName.values()) {
      closing.add(client.close());
    }
    clientsByHeloName.clear();
    return Future.join(closing).mapEmpty();
  }
}
