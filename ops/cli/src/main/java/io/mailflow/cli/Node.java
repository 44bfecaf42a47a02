package io.mailflow.cli;

import io.mailflow.admin.AdminServer;
import io.mailflow.admin.AdminServerOptions;
import io.mailflow.tracking.FederatedTrackingSearch;
import io.mailflow.admin.BrokerReachable;
import io.mailflow.admin.ReadinessCheck;
import io.mailflow.categorizer.kafka.CategorizerStage;
import io.mailflow.delivery.agent.DeliveryStage;
import io.mailflow.edge.server.BackPressure;
import io.mailflow.edge.server.EdgeOptions;
import io.mailflow.edge.server.KafkaEdgeWiring;
import io.mailflow.edge.server.ProtocolLogCsv;
import io.mailflow.edge.server.SmtpEdge;
import io.mailflow.edge.server.SubmissionBacklog;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.EventStreamTopics;
import io.mailflow.kafka.KafkaClientConfig;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.StageStatus;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Tracking;
import io.mailflow.logs.ExchangeLogWriter;
import io.mailflow.logs.ExchangeLogs;
import io.mailflow.logs.LogLimits;
import io.mailflow.logs.MessageTrackingLogFile;
import io.mailflow.logs.ProtocolLogFile;
import io.mailflow.organization.MessageTrackingLogSettings;
import io.mailflow.organization.SendProtocolLogSettings;
import io.mailflow.schemas.avro.ProtocolDirection;
import io.micrometer.core.instrument.FunctionCounter;
import io.mailflow.kafka.Topics;
import io.mailflow.organization.BackPressureSettings;
import io.mailflow.organization.Directory;
import io.mailflow.organization.IpRange;
import io.mailflow.organization.Organization;
import io.mailflow.organization.ReceiveConnector;
import io.mailflow.routing.service.RoutingStage;
import io.mailflow.webhooks.WebhookStage;
import io.mailflow.webhooks.Webhooks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Node - the stages one mailflow process runs: the edge on the calling thread and, beside it, the stages behind it
 * downstream-first on a thread of their own (the edge greets without waiting for their Kafka clients and group joins:
 * what it accepts meanwhile waits in mail.submission.v1); closed upstream-first (the edge stops accepting before the
 * stages behind it stop), every stage loop told to stop at once ({@link StageLoop.StopGroup}). Every node also runs the admin server (health, /metrics, the admin API), started last so
 * that it reports stages that exist.
 *
 * <p>One {@link PrometheusMeterRegistry} per process ({@link #meters()}): every stage, its Kafka clients,
 * the JVM and the event loops record there, and the admin server's {@code /metrics} serves it.
 */
final class Node implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Node.class);
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  /** What /health/ready asks, gathered as the stages start. */
  private final List<ReadinessCheck> readiness = new ArrayList<>();
  private final CompletableFuture<Void> failed = new CompletableFuture<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  /** Every stage loop of this process: told to stop at once when the node closes (a stop takes the slowest's time). */
  private final StageLoop.StopGroup loops = new StageLoop.StopGroup();
  private Vertx vertx;
  private AdminServer admin;
  /** Who this process is to Kafka across restarts ({@code <data-dir>/instance-id}), locked while it runs. */
  private InstanceIdentity identity;

  /**
   * Where the admin server listens.
   *
   * @param bindAddress an IP address, or null for the organization's {@code adminServer.bindAddress} (default
   *     127.0.0.1)
   * @param port 0 for any free port
   *     (a null listener where one is taken: no admin server, {@code --no-admin})
   */
  record AdminListener(String bindAddress, int port) {}

  private Node() {}

  /** Asked between the steps of the start; true: close what exists instead of going on. */
  private java.util.function.BooleanSupplier stopRequested = () -> false;

  /** A stop was asked while the node started: what had started is closed. */
  static final class StoppedWhileStarting extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoppedWhileStarting() {
      super("stopped while starting", null, false, false);
    }
  }

  private void checkStop() {
    if (stopRequested.getAsBoolean()) {
      throw new StoppedWhileStarting();
    }
  }

  /**
   * This process's instance id: the data dir's own ({@code <data-dir>/instance-id}, the same after a restart),
   * or a fresh one when another live process holds that file. Stage loops are static group members under it
   * (group.instance.id {@code <id>-<stage>-<topic>}), so a restart after kill -9 takes the partitions back at once.
   */
  String instanceId() {
    return identity.id();
  }

  /** The process's meters, in Prometheus' text format by {@code meters().scrape()}. */
  PrometheusMeterRegistry meters() {
    return meters;
  }

  static Node start(String bootstrap, Organization org, Path dataDir, Path mailStore, Set<Role> roles,
      PrintWriter out, AdminListener adminListener) {
    return start(bootstrap, org, dataDir, mailStore, roles, out, org.kafka().replicationFactor(), adminListener);
  }

  /**
   * Starts {@code roles}; {@code dataDir} holds the node's certificate and protocol logs, {@code mailStore} the
   * delivery role's Maildir store ({@code <data-dir>/mailstore} unless {@code --mail-store}).
   */
  static Node start(String bootstrap, Organization org, Path dataDir, Path mailStore, Set<Role> roles,
      PrintWriter out, short replicationFactor, AdminListener adminListener) {
    return start(bootstrap, org, dataDir, mailStore, roles, out, replicationFactor, adminListener, () -> false);
  }

  /**
   * As above; {@code stopRequested} is asked between the start's steps (each stage, the edge, the admin server): once
   * it says true the start closes what it started and throws {@link StoppedWhileStarting}, so a stop asked during a
   * start waits for one step, not for the whole start.
   */
  static Node start(String bootstrap, Organization org, Path dataDir, Path mailStore, Set<Role> roles,
      PrintWriter out, short replicationFactor, AdminListener adminListener,
      java.util.function.BooleanSupplier stopRequested) {
    if (adminListener != null) {
      adminBind(adminListener, org); // a bad address is refused before anything starts
    }
    // the event streams' retention follows the organization's tracking and protocol log limits; their JSON twins
    // exist when a format is Both
    TopicProvisioner.ensureTopics(bootstrap, org.kafka().partitions(), replicationFactor,
        Duration.ofMillis(KafkaClientConfig.DEFAULT_STARTUP_TIMEOUT_MS), EventStreamTopics.of(org.transportService()),
        // bodies by reference (past inlineBodyLimit) must outlive every retry and replay of the copies naming them
        TopicProvisioner.bodiesRetention(org.transportService().messageExpirationTimeout()));
    Node node = new Node();
    node.stopRequested = stopRequested;
    try {
      node.identity = InstanceIdentity.acquire(dataDir);
      node.started.push(node.identity); // released last
      if (!node.identity.isStatic()) {
        out.printf("warning: %s is held by another running mailflow process sharing the data dir; this one is "
            + "instance %s without static group membership (after a crash its partitions move after the session "
            + "timeout)%n", node.identity.file(), node.identity.id());
      }
      node.started.push(ProcessMeters.bind(node.meters));
      node.startRoles(bootstrap, org, dataDir, mailStore, roles, out);
      if (adminListener != null) { // null: --no-admin
        node.checkStop();
        node.startAdmin(bootstrap, org, dataDir, adminListener, out);
      }
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private void startRoles(String bootstrap, Organization org, Path dataDir, Path mailStore, Set<Role> roles,
      PrintWriter out) {
    java.util.function.Consumer<TopicPublisher> logs = exchangeLogs(org, dataDir, roles);
    StageLoop.Options options = StageLoop.Options.defaults()
        .withPoisonThreshold(org.transportService().poisonThreshold()).withMeters(meters)
        .withInstanceId(identity.isStatic() ? identity.id() : null).withPublisherSetup(logs).withStopGroup(loops);
    vertx = Vertx.vertx(); // the edge, delivery and the admin server
    started.push(EventLoopDelay.start(vertx, meters));
    // The stages behind the edge start on their own thread while this one starts the edge, which greets as soon as
    // it listens: mail it accepts meanwhile waits in mail.submission.v1 until the categorizer is there, as it would
    // behind a slow categorizer. Each stage's clients are built and its consumer group joined beside the edge.
    CompletableFuture<Void> stages = new CompletableFuture<>();
    Thread stageStarter = new Thread(() -> {
      try {
        startStages(bootstrap, org, mailStore, roles, options, out);
        stages.complete(null);
      } catch (Throwable e) {
        stages.completeExceptionally(e);
      }
    }, "mailflow-stages-start");
    stageStarter.start();
    try {
      if (roles.contains(Role.EDGE)) {
        startEdge(bootstrap, org, dataDir, logs, out);
      }
    } catch (RuntimeException | Error e) {
      try {
        stages.join();
      } catch (RuntimeException ignored) {
        // the edge's failure is the one to report; the node closes whatever started
      }
      throw e;
    }
    try {
      stages.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
    out.flush();
  }

  /** Delivery (and the webhooks), routing and the categorizer: their clients, loops and group joins. */
  private void startStages(String bootstrap, Organization org, Path mailStore, Set<Role> roles,
      StageLoop.Options options, PrintWriter out) {
    checkStop();
    if (roles.contains(Role.DELIVERY)) {
      DeliveryStage delivery = DeliveryStage.start(vertx, bootstrap, org, mailStore,
          DeliveryStage.Options.defaults().withTransportService(org.transportService()).withLoop(options));
      running("delivery", delivery, delivery.status());
      out.printf("delivery      mail store in %s%n", mailStore.toAbsolutePath().normalize());
      startWebhooks(bootstrap, org, options, out);
    }
    checkStop();
    if (roles.contains(Role.ROUTING)) {
      RoutingStage routing = RoutingStage.start(bootstrap, org, options);
      running("routing", routing, routing.status());
      out.println("routing       consuming mail.categorized.v1");
    }
    checkStop();
    if (roles.contains(Role.CATEGORIZER)) {
      CategorizerStage categorizer = CategorizerStage.start(bootstrap, org, options);
      running("categorizer", categorizer, categorizer.status());
      out.println("categorizer   consuming mail.submission.v1");
    }
  }

  /** The SMTP edge: back pressure, its certificate, its Kafka wiring, its listeners. */
  private void startEdge(String bootstrap, Organization org, Path dataDir,
      java.util.function.Consumer<TopicPublisher> logs, PrintWriter out) {
    // connectors with Tls but no certificate of their own use the node's self-signed one, as in Exchange
    BackPressure pressure = backPressure(bootstrap, org, dataDir);
    push(pressure);
    addReadiness(ReadinessCheck.of("backPressure", () -> pressureResult(pressure.status())));
    EdgeOptions edgeOptions = EdgeOptions.defaults()
        .withDefaultCertificate(SelfSignedCertificate.forEdge(org, dataDir, out)).withMeters(meters)
        .withBackPressure(pressure);
    // transactional id: the data dir's instance id, so it is stable across restarts of this edge (a restart
    // fences its predecessor's open transaction at once) and differs between edges of one server name (two
    // edges sharing an id would fence each other)
    String edgeClient = "mailflow-edge-" + org.serverName();
    KafkaEdgeWiring wiring = KafkaEdgeWiring.create(bootstrap, edgeClient, edgeClient + "-" + identity.id(), meters,
        EventEncoding.of(org));
    logs.accept(wiring.publisher()); // its RECEIVE events: the tracking switch and the MSGTRK file
    push(wiring);
    // Verbose connectors' protocol logs also as Exchange's CSV files (written and cleaned up off the event
    // loop), where and as big as the organization's transportService says
    ProtocolLogCsv protocolLog = new ProtocolLogCsv(wiring.events(),
        org.transportService().receiveProtocolLogDirectory(dataDir), org.transportService());
    push(protocolLog);
    logMeters("SmtpReceive", protocolLog.writer());
    SmtpEdge edge = await(SmtpEdge.start(vertx, org, Directory.of(org), wiring.submissions(), protocolLog,
        edgeOptions));
    push(() -> await(edge.close()));
    addReadiness(ReadinessCheck.of("edge", listenersBound(org, edge::listening)));
    for (ReceiveConnector connector : org.receiveConnectors()) {
      for (InetSocketAddress address : edge.listening(connector.name())) {
        out.printf("edge          %s listening on %s:%d%n", connector.name(),
            address.getAddress().getHostAddress(), address.getPort());
      }
    }
  }

  /**
   * The organization's webhooks, with the delivery role (so with {@code mailflow run}): each endpoint its own
   * consumer group on mail.tracking.v1, so a down endpoint holds up neither another nor mail.
   */
  private void startWebhooks(String bootstrap, Organization org, StageLoop.Options options, PrintWriter out) {
    if (org.webhooks().isEmpty()) {
      return;
    }
    Webhooks webhooks = Webhooks.start(bootstrap, org, options,
        org.transportService().messageTracking().subjectLoggingEnabled());
    push(webhooks);
    for (WebhookStage stage : webhooks.stages()) {
      watch(stage.status().stopped());
      addReadiness(ReadinessCheck.of("webhook " + stage.name(), () -> member(stage.status().membership())));
      out.printf("webhook       %s consuming mail.tracking.v1 as %s%n", stage.name(), WebhookStage.groupId(stage.name()));
    }
  }

  /**
   * The Exchange-format log files this process writes, as each Exchange server writes its own: MSGTRK and MSGTRKMD
   * (every message tracking event a stage of this process publishes, unless messageTrackingLogEnabled is false) and,
   * with the delivery role, SEND (its Verbose send connectors' sessions). The writers are closed after the stages
   * (pushed first); what is returned sets up each publisher the stages create: with tracking off only queue events
   * reach Kafka (Tracking.configure), and the files tap what is sent. A second live process on the same data dir
   * (no static identity) writes under {@code <dir>/<instance-id>}: two writers appending to one file would interleave.
   */
  private java.util.function.Consumer<TopicPublisher> exchangeLogs(Organization org, Path dataDir, Set<Role> roles) {
    MessageTrackingLogSettings tracking = org.transportService().messageTracking();
    MessageTrackingLogFile msgtrk = null;
    if (tracking.enabled()) {
      msgtrk = MessageTrackingLogFile.start(ownDirectory(tracking.directory(dataDir)),
          new LogLimits(tracking.maxFileSize(), tracking.maxDirectorySize(), tracking.maxAge()));
      started.push(msgtrk);
      logMeters("MessageTracking", msgtrk.writer());
    }
    ProtocolLogFile send = null;
    if (roles.contains(Role.DELIVERY)) {
      SendProtocolLogSettings s = org.transportService().sendProtocolLog();
      send = ProtocolLogFile.start(ExchangeLogs.SEND, ownDirectory(s.directory(dataDir)),
          new LogLimits(s.maxFileSize(), s.maxDirectorySize(), s.maxAge()));
      started.push(send);
      logMeters("SmtpSend", send.writer());
    }
    MessageTrackingLogFile trackingFile = msgtrk;
    ProtocolLogFile sendFile = send;
    return publisher -> {
      Tracking.configure(publisher, tracking.enabled(), trackingFile);
      if (sendFile != null) {
        publisher.onSend(Topics.PROTOCOL, e -> {
          if (e.getDirection() == ProtocolDirection.Send) {
            sendFile.accept(e);
          }
        });
      }
    };
  }

  /** {@code directory}, or its {@code <instance-id>} subdirectory when another live process holds the data dir. */
  private Path ownDirectory(Path directory) {
    return identity.isStatic() ? directory : directory.resolve(identity.id());
  }

  /** {@code mailflow.log.dropped} and {@code mailflow.log.written} of one log's writer, tagged log=<Exchange's name>. */
  private void logMeters(String log, ExchangeLogWriter writer) {
    FunctionCounter.builder("mailflow.log.dropped", writer, ExchangeLogWriter::dropped)
        .description("log lines dropped because the writer's queue was full or the disk failed").tag("log", log)
        .register(meters);
    FunctionCounter.builder("mailflow.log.written", writer, ExchangeLogWriter::written)
        .description("log lines written to the log files").tag("log", log).register(meters);
  }

  /**
   * Exchange's back pressure for the edge: the data directory's drive (which holds the embedded broker's logs in the
   * all-in-one node, so High comes before the broker runs out of space), the heap, and the categorizer's backlog on
   * mail.submission.v1, read every resourceMeteringInterval off the event loops.
   */
  private BackPressure backPressure(String bootstrap, Organization org, Path dataDir) {
    BackPressureSettings settings = org.transportService().backPressure();
    // one read of the backlog must end before the next is due; never under a second
    Duration timeout = settings.resourceMeteringInterval().compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1) : settings.resourceMeteringInterval();
    SubmissionBacklog backlog = settings.enableResourceMonitoring()
        ? new SubmissionBacklog(bootstrap, "mailflow-backpressure-" + org.serverName(), CategorizerStage.GROUP_ID,
            Topics.SUBMISSION.name(), timeout)
        : null;
    try {
      return BackPressure.start(settings, dataDir, backlog, meters);
    } catch (java.io.IOException e) {
      if (backlog != null) {
        backlog.close();
      }
      throw new CliFailure("cannot watch the data directory " + dataDir + " for back pressure: " + e.getMessage(), e);
    }
  }

  /** Back pressure in /health/ready: Medium is degraded (mail from the organization only), High not ready. */
  private static ReadinessCheck.Result pressureResult(BackPressure.Status status) {
    return switch (status.level()) {
      case Low -> ReadinessCheck.Result.ok("Low: " + status.describe());
      case Medium -> ReadinessCheck.Result.degraded("Medium: refusing mail from outside the organization (452 4.3.1); "
          + status.why());
      case High -> ReadinessCheck.Result.failed("High: refusing all mail (452 4.3.1); " + status.why());
    };
  }

  /**
   * The admin server, on the command line's address or the organization's; HTTPS with the node's certificate
   * when that is not loopback. Prints its address with the other listeners.
   */
  private void startAdmin(String bootstrap, Organization org, Path dataDir, AdminListener listener, PrintWriter out) {
    String bind = adminBind(listener, org);
    Path certFile = null;
    Path keyFile = null;
    if (!AdminServerOptions.isLoopback(bind)) {
      ReceiveConnector.Certificate certificate = SelfSignedCertificate.forAdmin(org, dataDir, out);
      certFile = Path.of(certificate.certFile());
      keyFile = Path.of(certificate.keyFile());
    }
    AdminServerOptions options;
    try {
      options = new AdminServerOptions(bind, listener.port(), certFile, keyFile, org.adminServer().metricsRequireLogin(),
          AdminServerOptions.DEFAULT_KAFKA_TIMEOUT, org.serverName(), EventEncoding.of(org));
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage(), e);
    }
    List<ReadinessCheck> checks = new ArrayList<>();
    checks.add(new BrokerReachable(bootstrap, BrokerReachable.DEFAULT_TIMEOUT));
    synchronized (this) {
      checks.addAll(readiness);
    }
    // message tracking: always running (README of ops/admin: why not on demand), one index per cluster, served by
    // the process that holds the data dir: others sharing it (role processes started on one dir) would fight over
    // the index's write lock, and one index per data dir is all a search needs
    FederatedTrackingSearch tracking = null;
    Path trackingDir = dataDir.resolve(FederatedTrackingSearch.DIRECTORY);
    if (!identity.isStatic()) {
      out.printf("tracking      not served by this process: %s is held by another mailflow process, which serves it%n",
          dataDir.toAbsolutePath().normalize());
    } else {
      try {
        tracking = FederatedTrackingSearch.forNode(org, bootstrap, dataDir);
      } catch (RuntimeException e) {
        // mail goes on without the index: searches answer 503 tracking_unavailable, the log says why
        LOG.error("cannot open the message-tracking index in {}: {}; /api/v1/tracking answers 503 until a restart",
            trackingDir, e.toString(), e);
        out.printf("tracking      unavailable: cannot open the index in %s: %s%n", trackingDir, e.getMessage());
      }
    }
    admin = await(AdminServer.start(vertx, options, org.administrators(), meters, checks, bootstrap, tracking),
        "the admin server");
    started.push(() -> await(admin.close(), "the admin server to stop"));
    out.printf("admin         %s%n", admin.url());
  }

  /** The admin server's address: the command line's, else the organization's, else 127.0.0.1; an IP literal. */
  private static String adminBind(AdminListener listener, Organization org) {
    String bind = listener.bindAddress() != null ? listener.bindAddress().strip()
        : org.adminServer().bindAddressOrDefault();
    if (!IpRange.isAddress(bind)) { // a name would be resolved, and could mean another address tomorrow
      throw new CliFailure(AdminBindOption.NOT_AN_ADDRESS + "'" + bind + "'");
    }
    return bind;
  }

  /** The admin server's address, e.g. http://127.0.0.1:2580/. */
  String adminUrl() {
    return admin.url();
  }

  /** A started stage: closed with the node, watched for a fatal stop, asked for readiness. */
  private void running(String role, AutoCloseable stage, StageStatus status) {
    push(stage);
    watch(status.stopped());
    addReadiness(ReadinessCheck.of(role, () -> member(status.membership())));
  }

  /** Something to close with the node (the edge and the stages start on two threads). */
  private synchronized void push(AutoCloseable closeable) {
    started.push(closeable);
  }

  private synchronized void addReadiness(ReadinessCheck check) {
    readiness.add(check);
  }

  /** A stage is ready once its consumer is a member of its group (an empty assignment counts). */
  private static ReadinessCheck.Result member(StageLoop.Membership membership) {
    return membership.joined()
        ? ReadinessCheck.Result.ok("in its consumer group, " + membership.partitions() + " partition(s) assigned")
        : ReadinessCheck.Result.failed("not yet in its consumer group (no partitions assigned)");
  }

  /** The edge is ready when every receive connector listens on each of its bindings. */
  private static Supplier<ReadinessCheck.Result> listenersBound(Organization org,
      java.util.function.Function<String, List<InetSocketAddress>> listening) {
    return () -> {
      List<String> unbound = new ArrayList<>();
      int bound = 0;
      for (ReceiveConnector connector : org.receiveConnectors()) {
        List<InetSocketAddress> addresses = listening.apply(connector.name());
        if (addresses.isEmpty()) {
          unbound.add(connector.name());
        }
        bound += addresses.size();
      }
      return unbound.isEmpty() ? ReadinessCheck.Result.ok(bound + " listener(s) bound")
          : ReadinessCheck.Result.failed("not listening: " + String.join(", ", unbound));
    };
  }

  /** Waits for a Vert.x future from this (non event-loop) thread; its failure is rethrown as is. */
  private static <T> T await(Future<T> future) {
    return await(future, "the SMTP edge");
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new CliFailure(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new CliFailure("timed out after 30 s waiting for " + what, e);
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
    // every loop leaves its poll now and drains, commits and closes its consumer on its own thread, beside the others;
    // the closes below then wait for each (before: one after another, each up to its consumer's close timeout)
    loops.stopAll();
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        LogFile.terminalStream().println("mailflow: while stopping: " + e.getMessage());
      }
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LogFile.terminalStream().println("mailflow: while stopping Vert.x: " + e.getMessage());
      }
    }
    meters.close();
    closed.countDown();
  }
}
