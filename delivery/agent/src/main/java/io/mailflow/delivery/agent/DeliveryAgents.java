package io.mailflow.delivery.agent;

import io.mailflow.schemas.avro.DeliveryType;
import java.util.Objects;

/**
 * DeliveryAgents - which agent delivers each {@link DeliveryType}, in one switch so a reader sees every
 * delivery path at once, and a new type in the schema does not compile until it is given one.
 *
 * @param mailbox SmtpDeliveryToMailbox
 * @param sendConnector SmartHostConnectorDelivery and DnsConnectorDelivery (smart hosts or MX, per connector)
 * @param siteRelay SmtpRelayToRemoteAdSite, SmtpRelayToDag, SmtpRelayToConnectorSourceServers
 * @param unreachable Unreachable (Exchange's Unreachable queue)
 * @param notImplemented the types mailflow cannot deliver yet
 */
record DeliveryAgents(DeliveryAgent mailbox, DeliveryAgent sendConnector, DeliveryAgent siteRelay,
    DeliveryAgent unreachable, DeliveryAgent notImplemented) {

  DeliveryAgents {
    Objects.requireNonNull(mailbox, "mailbox");
    Objects.requireNonNull(sendConnector, "sendConnector");
    Objects.requireNonNull(siteRelay, "siteRelay");
    Objects.requireNonNull(unreachable, "unreachable");
    Objects.requireNonNull(notImplemented, "notImplemented");
  }

  DeliveryAgent forType(DeliveryType type) {
    return switch (type) {
      case SmtpDeliveryToMailbox -> mailbox;
      case SmartHostConnectorDelivery, DnsConnectorDelivery -> sendConnector;
      case SmtpRelayToRemoteAdSite, SmtpRelayToDag, SmtpRelayToConnectorSourceServers -> siteRelay;
      case Unreachable -> unreachable;
      case SmtpRelayToMailboxDeliveryGroup, Undefined -> notImplemented;
    };
  }
}
