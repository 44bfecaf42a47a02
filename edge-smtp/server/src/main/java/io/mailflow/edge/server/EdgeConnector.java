package io.mailflow.edge.server;

import io.mailflow.edge.protocol.SmtpConfig;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.vertx.core.Vertx;

/** EdgeConnector - one receive connector as its sessions see it: settings, policy and where things go. */
record EdgeConnector(Vertx vertx, Organization organization, ReceiveConnector connector, SmtpConfig smtp,
    ConnectorPolicy policy, SubmissionPublisher publisher, EdgeEvents events, EdgeOptions options, EdgeIds ids) {

  /** The engine settings for a connector: its limits, its FQDN (else the server name), its banner. */
  static SmtpConfig smtpConfig(ReceiveConnector connector, Organization organization, EdgeOptions options) {
    String fqdn = connector.fqdn() == null || connector.fqdn().isBlank() ? organization.serverName() : connector.fqdn();
    return new SmtpConfig(fqdn, connector.banner(), connector.maxMessageSize(), connector.maxRecipientsPerMessage(),
        connector.maxProtocolErrors(), false, options.clock());
  }

  /** Exchange's connector-id in protocol and tracking logs: {@code SERVER\Connector name}. */
  String connectorId() {
    return organization.serverName() + "\\" + connector.name();
  }

  String fqdn() {
    return smtp.fqdn();
  }
}
