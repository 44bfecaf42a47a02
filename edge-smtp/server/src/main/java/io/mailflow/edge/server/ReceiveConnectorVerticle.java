package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.mailflow.organization.TlsCipherPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.TrustOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * ReceiveConnectorVerticle - listens on one binding, shared by one or more receive connectors, and
 * starts a session per connection with the connector the client's address selects
 * ({@link ReceiveConnectorSelector}); a client no connector serves gets {@code 421 4.3.2} and is closed.
 */
final class ReceiveConnectorVerticle extends VerticleBase {
  private final List<EdgeConnector> connectors;
  private final Map<String, EdgeConnector> byName = new HashMap<>();
  private final ReceiveConnectorSelector selector;
  private final EdgeConnector edge; // the first: names the listener in errors, holds the socket's TLS settings
  private final Binding binding;
  private NetServer server;
  private volatile InetSocketAddress listening;

  ReceiveConnectorVerticle(List<EdgeConnector> connectors, Binding binding) {
    this.connectors = List.copyOf(connectors);
    this.connectors.forEach(c -> byName.put(c.connector().name(), c));
    this.selector = new ReceiveConnectorSelector(this.connectors.stream().map(EdgeConnector::connector).toList());
    this.edge = this.connectors.get(0);
    this.binding = binding;
  }

  @Override
  public Future<?> start() {
    NetServerOptions options = new NetServerOptions().setHost(binding.address()).setPort(binding.port());
    ReceiveConnector.Certificate certificate = connectors.stream().map(EdgeConnector::certificate)
        .filter(Objects::nonNull).findFirst().orElse(null); // connectors sharing a socket share it (SmtpEdge checks)
    if (certificate != null) {
      // the key pair serves STARTTLS upgrades; with implicitTls every connection starts with the handshake
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(certificate.certFile()).setKeyPath(certificate.keyFile()));
      options.setSsl(edge.connector().implicitTls());
      // TLS 1.2 and 1.3 only, and the connector's forward-secret suites (connectors sharing a socket agree)
      options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsCipherPolicy.PROTOCOLS));
      edge.connector().tlsCipherSuites().forEach(options::addEnabledCipherSuite);
      // connectors authenticating servers ask for a client certificate; each session checks it itself
      if (connectors.stream().anyMatch(c -> c.policy().serverAuthentication().requestsCertificate())) {
        options.setClientAuth(ClientAuth.REQUEST)
            .setTrustOptions(TrustOptions.wrap(ServerAuthentication.acceptingTrustManager()));
      }
    }
    server = vertx.createNetServer(options);
    server.connectHandler(this::accepted);
    return server.listen()
        .map(s -> {
          listening = new InetSocketAddress(binding.address(), s.actualPort());
          return s;
        })
        .recover(e -> Future.failedFuture(new EdgeStartException("receive connector '" + edge.connector().name()
            + "': cannot bind " + binding + ": " + reason(e), e)));
  }

  private void accepted(NetSocket socket) {
    InetAddress remote = SmtpConnection.inet(socket.remoteAddress()).getAddress();
    Optional<ReceiveConnectorSelector.Selection> selection =
        remote == null ? Optional.empty() : selector.select(remote);
    if (selection.isEmpty()) {
      SmtpConnection.refuse(edge, socket, EdgeReplies.NO_CONNECTOR,
          "No receive connector on " + binding + " serves this remote address");
      return;
    }
    SmtpConnection.accept(byName.get(selection.get().connector().name()), socket, selection.get().range());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The address and actual port (a binding to port 0 gets an ephemeral one). */
  InetSocketAddress listening() {
    return listening;
  }

  boolean serves(String connectorName) {
    return byName.containsKey(connectorName);
  }

  private static String reason(Throwable e) {
    String message = String.valueOf(e.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("already in use")) {
      return "address in use";
    }
    if (lower.contains("assign requested address")) {
      return "address not available on this machine";
    }
    if (lower.contains("permission denied")) {
      return "permission denied (ports below 1024 need privileges)";
    }
    return message;
  }
}
