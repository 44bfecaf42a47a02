package io.mailflow.edge.server;

import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.organization.ReceiveConnector.Binding;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
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
    Map<String, String> bindingOwner = new HashMap<>();
    EdgeIds ids = new EdgeIds(options.clock().millis());
    DirectoryAuthenticator authenticator = new DirectoryAuthenticator(directory);
    for (ReceiveConnector connector : organization.receiveConnectors()) {
      EdgeConnector edge;
      try {
        ReceiveConnector.Certificate certificate = EdgeConnector.certificate(connector, options);
        edge = new EdgeConnector(vertx, organization, connector,
            EdgeConnector.smtpConfig(connector, organization, options, certificate),
            new ConnectorPolicy(connector, directory), publisher, events, options, ids, certificate, authenticator);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new EdgeStartException(
            "receive connector '" + connector.name() + "': " + e.getMessage(), e));
      }
      for (Binding binding : connector.bindings()) {
        String owner = binding.port() == 0 ? null : bindingOwner.putIfAbsent(binding.toString(), connector.name());
        if (owner != null) {
          // choosing between connectors by remote IP range on one binding arrives with issue 3
          return Future.failedFuture(new EdgeStartException("receive connectors '" + owner + "' and '"
              + connector.name() + "' share binding " + binding + ", which this edge cannot serve yet", null));
        }
        listeners.add(new ReceiveConnectorVerticle(edge, binding));
      }
    }
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
    return listeners.stream().filter(l -> l.connectorName().equals(connectorName))
        .map(ReceiveConnectorVerticle::listening).toList();
  }

  /** Stops listening and closes open sessions; messages not yet answered 250 stay with their clients. */
  public Future<Void> close() {
    return Future.join(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
