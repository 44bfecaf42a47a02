package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.DeliveryItem;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * SendConnectorAgent - delivers SmartHostConnectorDelivery and DnsConnectorDelivery copies over the send
 * connector routing chose ({@code nextHop.connector}): through its smart hosts in order, or, for a
 * connector without smart hosts, to the next-hop domain's MX hosts ({@link MxResolver}). EHLO is the
 * connector's Fqdn, else this server's name.
 *
 * <p>A connector this node's config does not have is a {@link ConfigurationError}, not a delivery
 * failure: the copy stays queued until the config has it.
 */
final class SendConnectorAgent implements DeliveryAgent {

  private final Organization organization;
  private final SmtpSend smtp;
  private final MxResolver mx;

  SendConnectorAgent(Organization organization, SmtpSend smtp, MxResolver mx) {
    this.organization = organization;
    this.smtp = smtp;
    this.mx = mx;
  }

  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    String connectorName = item.getNextHop().getConnector();
    Optional<SendConnector> connector = organization.sendConnectors().stream()
        .filter(c -> c.name().equalsIgnoreCase(connectorName == null ? "" : connectorName))
        .findFirst();
    if (connector.isEmpty()) {
      return Future.succeededFuture(Attempted.configurationError(item, context, new ConfigurationError(
          "send connector '" + connectorName + "' is not in this node's organization config", "sendConnectors[].name"),
          organization.serverName()));
    }
    SendConnector sc = connector.get();
    String heloName = organization.connectorFqdn(sc.fqdn());
    if (!sc.usesSmartHosts()) {
      return viaMx(item, content, context, sc, heloName);
    }
    return smtp.send(item, content, context, sc.smartHosts(), heloName, sc.name());
  }

  /**
   * DNS MX routing: the next-hop domain's exchanges in preference order (or its own address: implicit MX),
   * each on the connector's port, with the smart-host failover rule. NXDOMAIN and null MX fail every
   * recipient for good (550 5.4.4, a DSN); a DNS server failure or timeout defers them.
   */
  private Future<Attempted> viaMx(DeliveryItem item, MessageSource content, SourceContext context, SendConnector sc,
      String heloName) {
    String domain = item.getNextHop().getNextHopDomain();
    return mx.resolve(domain, sc.dnsServer(), sc.port()).compose(resolution -> {
      if (resolution.failure() != null) {
        return Future.succeededFuture(Attempted.of(DeliveryTracking.SMTP, sc.name(), null,
            context.with("DNS " + (sc.dnsServer() == null ? "system resolver" : sc.dnsServer())),
            Attempted.addresses(item).stream().map(resolution.failure()::outcomeFor).toList()));
      }
      return smtp.send(item, content, context.with("MX " + String.join(", ", resolution.mxHosts())),
          resolution.targets(), heloName, sc.name());
    });
  }
}
