package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.DeliveryItem;
import io.vertx.core.Future;

/**
 * SiteRelayAgent - delivers SmtpRelayToRemoteAdSite, SmtpRelayToDag and SmtpRelayToConnectorSourceServers
 * copies over SMTP to other servers of the organization ({@link SiteRelay} chooses them and their order),
 * carrying the network message id, with EHLO this server's FQDN and Exchange's implicit Intra-Organization
 * SMTP Send Connector as connector-id. A next hop with no server to relay to is a {@link ConfigurationError}:
 * the copy stays queued until the config gives it one.
 */
final class SiteRelayAgent implements DeliveryAgent {

  private final Organization organization;
  private final SiteRelay sites;
  private final SmtpSend smtp;

  SiteRelayAgent(Organization organization, SmtpSend smtp) {
    this.organization = organization;
    this.sites = new SiteRelay(organization);
    this.smtp = smtp;
  }

  @Override
  public Future<Attempted> attempt(DeliveryItem item, MessageSource content, SourceContext context) {
    SiteRelay.Targets targets = sites.targets(item);
    if (targets.hosts().isEmpty()) {
      return Future.succeededFuture(Attempted.configurationError(item, context, targets.none(),
          organization.serverName()));
    }
    MessageSource relayed = content.withHead(
        SiteRelay.withNetworkMessageId(content.head(), item.getEnvelope().getNetworkMessageId()));
    return smtp.send(item, relayed, context.with("servers " + String.join(", ", targets.servers())),
        targets.hosts(), organization.serverFqdn(), SiteRelay.CONNECTOR_ID);
  }
}
