package io.mailflow.edge.server;

import io.mailflow.edge.protocol.SmtpConfig;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.AuthMechanism;
import io.vertx.core.Vertx;

/** EdgeConnector - one receive connector as its sessions see it: settings, policy and where things go. */
record EdgeConnector(Vertx vertx, Organization organization, ReceiveConnector connector, SmtpConfig smtp,
    ConnectorPolicy policy, SubmissionPublisher publisher, EdgeEvents events, EdgeOptions options, EdgeIds ids,
    ReceiveConnector.Certificate certificate, DirectoryAuthenticator authenticator, ConnectionLimits limits,
    MessageRateLimiter rate, EdgeMeters meters, AuthFailureLedger logons) {

  /**
   * The certificate a connector uses: its own, else the node's default; null when there is none.
   *
   * @throws IllegalArgumentException when the connector cannot work without one (implicit TLS, or
   *     AUTH allowed only over TLS)
   */
  static ReceiveConnector.Certificate certificate(ReceiveConnector connector, EdgeOptions options) {
    ReceiveConnector.Certificate certificate = connector.certificate() != null
        ? connector.certificate() : options.defaultCertificate();
    if (certificate == null && connector.implicitTls()) {
      throw new IllegalArgumentException("implicitTls needs a TLS certificate: give the connector "
          + "certificate: {certFile: ..., keyFile: ...}");
    }
    if (certificate == null && connector.authMechanisms().contains(AuthMechanism.BasicAuthRequireTLS)
        && connector.authMechanisms().contains(AuthMechanism.BasicAuth)) {
      throw new IllegalArgumentException("authMechanisms BasicAuthRequireTLS needs a TLS certificate, or no client "
          + "could ever authenticate: give the connector certificate: {certFile: ..., keyFile: ...}");
    }
    return certificate;
  }

  /**
   * The engine settings for a connector: its limits, its FQDN (else the server name), its banner, the transport
   * service's inline body limit;
   * STARTTLS where it has Tls and a certificate (not on implicit-TLS listeners: the session is TLS
   * already); AUTH PLAIN/LOGIN where it has BasicAuth.
   */
  static SmtpConfig smtpConfig(ReceiveConnector connector, Organization organization, EdgeOptions options,
      ReceiveConnector.Certificate certificate) {
    String fqdn = organization.connectorFqdn(connector.fqdn());
    boolean startTls = connector.authMechanisms().contains(AuthMechanism.Tls) && certificate != null
        && !connector.implicitTls();
    return new SmtpConfig(fqdn, connector.banner(), connector.maxMessageSize(), connector.maxRecipientsPerMessage(),
        connector.maxProtocolErrors(), startTls, options.clock())
        .withAuth(connector.authMechanisms().contains(AuthMechanism.BasicAuth),
            connector.authMechanisms().contains(AuthMechanism.BasicAuthRequireTLS))
        .withLogonFailures(connector.maxLogonFailures(), connector.tarpitInterval())
        // past transportService.inlineBodyLimit the body goes once to mail.bodies.v1 (if the publisher has a store)
        .withBodySpill((int) organization.transportService().inlineBodyLimit(), SmtpConfig.DEFAULT_SPILL_CHUNK_SIZE,
            SmtpConfig.DEFAULT_SPILL_WINDOW);
  }

  /** Exchange's connector-id in protocol and tracking logs: {@code SERVER\Connector name}. */
  String connectorId() {
    return organization.serverName() + "\\" + connector.name();
  }

  String fqdn() {
    return smtp.fqdn();
  }
}
