package io.mailflow.routing.graph;

/**
 * DeliveryType - how a delivery queue hands its messages on; the names are Exchange's
 * (Get-Queue's DeliveryType column), so an Exchange admin reads our queue keys without a glossary.
 */
public enum DeliveryType {
  /** The active copy of the mailbox database is on this server or in this site: deliver to the store. */
  SmtpDeliveryToMailbox,
  /** The active copy is in a remote site and the database belongs to a DAG: relay to the DAG. */
  SmtpRelayToDag,
  /** Mailbox servers of one site and version that are not in a DAG (Exchange 2013+ delivery group). */
  SmtpRelayToMailboxDeliveryGroup,
  /** Relay to another Active Directory site: a hub site on the path, a back-off site, or the destination. */
  SmtpRelayToRemoteAdSite,
  /** This server is not a source server of the chosen send connector: relay to one that is. */
  SmtpRelayToConnectorSourceServers,
  /** Send through a connector that resolves the recipient domain's MX records. */
  DnsConnectorDelivery,
  /** Send through a connector's smart hosts. */
  SmartHostConnectorDelivery,
  /** No route exists; the message waits in the Unreachable queue (and expires into an NDR). */
  Unreachable
}
