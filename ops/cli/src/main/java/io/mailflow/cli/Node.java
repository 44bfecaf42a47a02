package io.mailflow.cli;

import io.mailflow.categorizer.kafka.CategorizerStage;
import io.mailflow.delivery.agent.DeliveryStage;
import io.mailflow.edge.server.EdgeOptions;
import io.mailflow.edge.server.KafkaEdgeWiring;
import io.mailflow.edge.server.ProtocolLogCsv;
import io.mailflow.edge.server.SmtpEdge;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.routing.service.RoutingStage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Node - the stages one mailflow process runs, started downstream-first (so nothing accepted waits on
 * a stage that is not there yet) and closed upstream-first (the edge stops accepting before the stages
 * behind it stop).
 *
 * <p>One {@link PrometheusMeterRegistry} per process ({@link #meters()}): every stage, its Kafka clients,
 * the JVM and the event loops record there, and {@code /metrics} serves it.
 */
final class Node implements AutoCloseable {
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CompletableFuture<Void> failed = new CompletableFuture<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private Vertx vertx;

  private Node() {}

  /** The process's meters, in Prometheus' text format by {@code meters().scrape()}. */
  PrometheusMeterRegistry meters() {
    return meters;
  }

  static Node start(String bootstrap, Organization org, Path dataDir, Set<Role> roles, PrintWriter out) {
    return start(bootstrap, org, dataDir, roles, out, org.kafka().replicationFactor());
  }

  static Node start(String bootstrap, Organization org, Path dataDir, Set<Role> roles, PrintWriter out,
      short replicationFactor) {
    TopicProvisioner.ensureTopics(bootstrap, org.kafka().partitions(), replicationFactor,
        Duration.ofMillis(KafkaClientConfig.DEFAULT_STARTUP_TIMEOUT_MS));
    Node node = new Node();
    try {
      node.started.push(ProcessMeters.bind(node.meters));
      node.startRoles(bootstrap, org, dataDir, roles, out);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void startRoles(String bootstrap, Organization org, Path dataDir, Set<Role> roles, PrintWriter out) {
    StageLoop.Options options = StageLoop.Options.defaults()
        .withPoisonThreshold(org.transportService().poisonThreshold()).withMeters(meters);
    if (roles.contains(Role.EDGE) || roles.contains(Role.DELIVERY)) {
      vertx = Vertx.vertx();
      started.push(EventLoopDelay.start(vertx, meters));
    }
    if (roles.contains(Role.DELIVERY)) {
      Path mailStore = dataDir.resolve("mailstore");
      DeliveryStage delivery = DeliveryStage.start(vertx, bootstrap, org, mailStore,
          DeliveryStage.Options.defaults().withTransportService(org.transportService()).withMeters(meters));
      started.push(delivery);
      watch(delivery.stopped());
      out.printf("delivery      mail store in %s%n", mailStore.toAbsolutePath().normalize());
    }
    if (roles.contains(Role.ROUTING)) {
      RoutingStage routing = RoutingStage.start(bootstrap, org, options);
      started.push(routing);
      watch(routing.stopped());
      out.println("routing       consuming mail.categorized.v1");
    }
    if (roles.contains(Role.CATEGORIZER)) {
      CategorizerStage categorizer = CategorizerStage.start(bootstrap, org, options);
      started.push(categorizer);
      watch(categorizer.stopped());
      out.println("categorizer   consuming mail.submission.v1");
    }
    if (roles.contains(Role.EDGE)) {
      // connectors with Tls but no certificate of their own use the node's self-signed one, as in Exchange
      EdgeOptions edgeOptions = EdgeOptions.defaults()
          .withDefaultCertificate(SelfSignedCertificate.forEdge(org, dataDir, out)).withMeters(meters);
      KafkaEdgeWiring wiring = KafkaEdgeWiring.create(bootstrap, "mailflow-edge-" + org.serverName(), meters);
      started.push(wiring);
      // Verbose connectors' protocol logs also as Exchange's CSV files (written and cleaned up off the event
      // loop), where and as big as the organization's transportService says
      ProtocolLogCsv protocolLog = new ProtocolLogCsv(wiring.events(),
          org.transportService().receiveProtocolLogDirectory(dataDir), org.transportService());
      started.push(protocolLog);
      SmtpEdge edge = await(SmtpEdge.start(vertx, org, Directory.of(org), wiring.submissions(), protocolLog,
          edgeOptions));
      started.push(() -> await(edge.close()));
      for (ReceiveConnector connector : org.receiveConnectors()) {
        for (InetSocketAddress address : edge.listening(connector.name())) {
          out.printf("edge          %s listening on %s:%d%n", connector.name(),
              address.getAddress().getHostAddress(), address.getPort());
        }
      }
    }
    out.flush();
  }

  /** Waits for a Vert.x future from this (non event-loop) thread; its failure is rethrown as is. */
  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new CliFailure(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new CliFailure("timed out after 30 s waiting for the SMTP edge", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted", e);
    }
  }

  private void watch(CompletableFuture<Void> stopped) {
    stopped.whenComplete((ok, error) -> {
      if (error != null) {
        failed.completeExceptionally(error);
      }
    });
  }

  /** Blocks until {@link #close()} (from a SIGTERM / Ctrl-C hook) or until a stage fails fatally. */
  void awaitShutdown() throws InterruptedException {
    while (!closed.await(200, TimeUnit.MILLISECONDS)) {
      if (failed.isCompletedExceptionally()) {
        failed.join(); // throws the stage's failure: the command prints it and exits non-zero
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed.getCount() == 0) {
      return;
    }
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("mailflow: while stopping: " + e.getMessage());
      }
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("mailflow: while stopping Vert.x: " + e.getMessage());
      }
    }
    meters.close();
    closed.countDown();
  }
}
