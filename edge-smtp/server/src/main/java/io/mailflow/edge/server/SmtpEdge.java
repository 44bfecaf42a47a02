package io.mailflow.edge.server;

import io.mailflow.organization.Directory;
import io.mailflow.organization.IpRange;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SmtpEdge - the receive side of mailflow (Exchange's Front End Transport): one listener per
 * binding of every receive connector in the organization; each session is answered by the
 * connector's policy, and each accepted message is answered 250 only after the
 * {@link SubmissionPublisher} says it is durable.
 *
 * <p>Does not route, resolve beyond "is this recipient known", or deliver.
 */
public final class SmtpEdge {
  static {
    // Client-initiated TLS 1.2 renegotiation is a DoS lever (a handshake's work for a few bytes) and no SMTP
    // client needs it. The edge's TLS is the JDK's SSLEngine (no netty-tcnative on the class path), which has
    // no per-engine switch: its server handshake reads this property once, when that class first loads (the
    // first server-side handshake in the JVM). This class loads before any receive connector listens, and
    // before the node's admin server, so every server handshake in the process refuses renegotiation.
    // TLS 1.3 has no renegotiation at all.
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
  }

  private final Vertx vertx;
  private final List<ReceiveConnectorVerticle> listeners;
  private final List<String> deployments;

  private SmtpEdge(Vertx vertx, List<ReceiveConnectorVerticle> listeners, List<String> deployments) {
    this.vertx = vertx;
    this.listeners = List.copyOf(listeners);
    this.deployments = List.copyOf(deployments);
  }

  /** Starts every receive connector of {@code organization} with default {@link EdgeOptions}. */
  public static Future<SmtpEdge> start(Vertx vertx, Organization organization, Directory directory,
      SubmissionPublisher publisher, EdgeEvents events) {
    return start(vertx, organization, directory, publisher, events, EdgeOptions.defaults());
  }

  /**
   * Starts every receive connector of {@code organization}. Fails with an {@link EdgeStartException}
   * whose message is one line naming the connector and the cause, e.g. {@code receive connector
   * 'Default Frontend EX01': cannot bind 127.0.0.1:2525: address in use}; nothing is left listening then.
   */
  public static Future<SmtpEdge> start(Vertx vertx, Organization organization, Directory directory,
      SubmissionPublisher publisher, EdgeEvents events, EdgeOptions options) {
    List<ReceiveConnectorVerticle> listeners = new ArrayList<>();
    // one listening socket per binding; connectors sharing it are chosen per connection by remote IP.
    // An ephemeral binding (port 0) is never shared: each gets a port of its own.
    Map<String, List<EdgeConnector>> byBinding = new LinkedHashMap<>();
    Map<String, Binding> bindings = new HashMap<>();
    EdgeIds ids = new EdgeIds(options.clock().millis());
    DirectoryAuthenticator authenticator = new DirectoryAuthenticator(directory);
    for (ReceiveConnector connector : organization.receiveConnectors()) {
      EdgeConnector edge;
      try {
        ReceiveConnector.Certificate certificate = EdgeConnector.certificate(connector, options);
        edge = new EdgeConnector(vertx, organization, connector,
            EdgeConnector.smtpConfig(connector, organization, options, certificate),
            new ConnectorPolicy(connector, directory), publisher, events, options, ids, certificate, authenticator,
            new ConnectionLimits(connector.maxInboundConnection(), connector.maxInboundConnectionPerSource()),
            MessageRateLimiter.of(connector, options.clock()), new EdgeMeters(options.meters(), connector.name()),
            new AuthFailureLedger(connector.authFailureLimits(), AuthFailureLedger.DEFAULT_CAPACITY, options.clock()));
        edge.meters().logons(edge.logons());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new EdgeStartException(
            "receive connector '" + connector.name() + "': " + e.getMessage(), e));
      }
      for (int i = 0; i < connector.bindings().size(); i++) {
        Binding binding = connector.bindings().get(i);
        String key = binding.port() == 0 ? connector.name() + "#" + i : bindingKey(binding);
        bindings.put(key, binding);
        List<EdgeConnector> sharing = byBinding.computeIfAbsent(key, k -> new ArrayList<>());
        for (EdgeConnector other : sharing) {
          String conflict = tlsConflict(other, edge);
          if (conflict != null) {
            return Future.failedFuture(new EdgeStartException("receive connectors '" + other.connector().name()
                + "' and '" + connector.name() + "' share binding " + binding + " but " + conflict
                + ": one listening socket serves both, so give them the same TLS settings or other bindings", null));
          }
        }
        sharing.add(edge);
      }
    }
    byBinding.forEach((key, sharing) -> listeners.add(new ReceiveConnectorVerticle(sharing, bindings.get(key))));
    List<Future<String>> deploying = listeners.stream().map(vertx::deployVerticle).toList();
    return Future.join(deploying).transform(done -> {
      List<String> deployed = new ArrayList<>();
      Throwable firstFailure = null;
      for (Future<String> f : deploying) {
        if (f.succeeded()) {
          deployed.add(f.result());
        } else if (firstFailure == null) {
          firstFailure = f.cause();
        }
      }
      if (firstFailure == null) {
        return Future.succeededFuture(new SmtpEdge(vertx, listeners, deployed));
      }
      Throwable failure = firstFailure;
      return Future.join(deployed.stream().map(vertx::undeploy).toList())
          .transform(x -> Future.failedFuture(failure));
    });
  }

  /** Every address the edge listens on, with actual ports, in connector and binding order. */
  public List<InetSocketAddress> listening() {
    return listeners.stream().map(ReceiveConnectorVerticle::listening).toList();
  }

  /** The addresses of one receive connector (by name, as configured); empty for an unknown name. */
  public List<InetSocketAddress> listening(String connectorName) {
    return listeners.stream().filter(l -> l.serves(connectorName))
        .map(ReceiveConnectorVerticle::listening).toList();
  }

  /** The same address written differently (::1, 0:0:0:0:0:0:0:1) is the same binding. */
  private static String bindingKey(Binding binding) {
    return IpRange.parseAddress(binding.address()).getHostAddress() + "|" + binding.port();
  }

  /** Why two connectors cannot share one socket, or null: TLS is a property of the socket. */
  private static String tlsConflict(EdgeConnector a, EdgeConnector b) {
    if (a.connector().implicitTls() != b.connector().implicitTls()) {
      return "only one has implicitTls";
    }
    if (a.certificate() != null && b.certificate() != null && !a.certificate().equals(b.certificate())) {
      return "they have different certificates";
    }
    if (!a.connector().tlsCipherSuites().equals(b.connector().tlsCipherSuites())) {
      return "they have different tlsCipherSuites";
    }
    return null;
  }

  /** Stops listening and closes open sessions; messages not yet answered 250 stay with their clients. */
  public Future<Void> close() {
    return Future.join(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
