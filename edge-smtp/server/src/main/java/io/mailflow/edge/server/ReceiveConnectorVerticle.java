package io.mailflow.edge.server;

import io.mailflow.organization.ReceiveConnector.Binding;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetSocketAddress;
import java.util.Locale;

/** ReceiveConnectorVerticle - listens on one binding of one receive connector and starts a session per connection. */
final class ReceiveConnectorVerticle extends VerticleBase {
  private final EdgeConnector edge;
  private final Binding binding;
  private NetServer server;
  private volatile InetSocketAddress listening;

  ReceiveConnectorVerticle(EdgeConnector edge, Binding binding) {
    this.edge = edge;
    this.binding = binding;
  }

  @Override
  public Future<?> start() {
    NetServerOptions options = new NetServerOptions().setHost(binding.address()).setPort(binding.port());
    if (edge.certificate() != null) {
      // the key pair serves STARTTLS upgrades; with implicitTls every connection starts with the handshake
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(edge.certificate().certFile()).setKeyPath(edge.certificate().keyFile()));
      options.setSsl(edge.connector().implicitTls());
    }
    server = vertx.createNetServer(options);
    server.connectHandler(socket -> SmtpConnection.accept(edge, socket));
    return server.listen()
        .map(s -> {
          listening = new InetSocketAddress(binding.address(), s.actualPort());
          return s;
        })
        .recover(e -> Future.failedFuture(new EdgeStartException("receive connector '" + edge.connector().name()
            + "': cannot bind " + binding + ": " + reason(e), e)));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The address and actual port (a binding to port 0 gets an ephemeral one). */
  InetSocketAddress listening() {
    return listening;
  }

  String connectorName() {
    return edge.connector().name();
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
