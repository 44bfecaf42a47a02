package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.BodyChunks;
import io.mailflow.delivery.agent.maildir.MaildirStore;
import io.mailflow.delivery.agent.lmtp.LmtpStore;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.organization.TransportService;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.StageStatus;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.DeliveryItem;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeliveryStage - the delivery role: consumes mail.delivery.v1 (consumer group {@value #GROUP_ID}) and
 * delivers each copy to its next hop through a {@link DeliveryDispatcher}, which hands it to the
 * {@link DeliveryAgent} for its delivery type and settles the outcome ({@link Settlement}); this class
 * builds those parts once and owns their lifecycle. Writes DELIVER/SEND/FAIL/DEFER tracking events;
 * offsets are committed only after the copy is stored or the remote said 250 and those events are
 * acknowledged (at-least-once; both mailbox stores absorb repeats).
 *
 * <p>Transient failures go to the delay topics (mail.retry.*.v1), and one {@link RetryForwarder} per
 * delay topic brings them back when due: nothing waits inside the stage loop. Recipients that fail for
 * good are reported to the sender in one DSN per copy, submitted to mail.submission.v1; delay and success
 * DSNs are {@link DeliveryNotices}'. SMTP sessions use STARTTLS and AUTH as the send connector says
 * ({@link SmartHostRelay}). Claim-checked bodies are read from mail.bodies.v1 chunk by
 * chunk while they are written out ({@link BodyChunks}, one reader per stage instance).
 */
public final class DeliveryStage implements AutoCloseable {

  public static final String STAGE_NAME = "delivery";
  public static final String GROUP_ID = "mailflow-delivery";

  private static final Logger log = LoggerFactory.getLogger(DeliveryStage.class);
  /** Per DNS query (MX, A, AAAA); Vert.x's default. No answer in time is a transient failure. */
  static final Duration DNS_QUERY_TIMEOUT = Duration.ofSeconds(5);

  private final StageLoop<DeliveryItem> loop;
  private final List<RetryForwarder> forwarders;
  private final SmartHostRelay relay;
  private final MxResolver mx;
  private final BodyChunks chunks;
  private final TopicPublisher publisher;
  private final Context context;
  private final ControlView control;
  /** How long start waits to read the admin state (mail.control.v1) up to its end. */
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Tunables of the stage.
   *
   * @param retrySchedule when deferred copies are tried again (delay topics) and when they expire (4.4.7)
   * @param smtp client settings for smart hosts; the EHLO name is set per send connector
   * @param maxConnectionsPerDestination open connections per smart host, in use or kept idle (Exchange
   *     MaxPerDomainOutboundConnections, 20)
   * @param loop the stage loop's settings (poison threshold, retry backoff, processing timeout)
   * @param bodyReadTimeout how long one chunk of a claim-checked body may take to read before Kafka counts
   *     as unreachable (the copy is deferred)
   */
  public record Options(RetrySchedule retrySchedule, SmtpClientOptions smtp, int maxConnectionsPerDestination,
      StageLoop.Options loop, Duration bodyReadTimeout) {

    /**
     * 2 min of silence ends an SMTP session here instead of Exchange's 10: a session must end well within
     * the stage loop's 4 min processing timeout, or the copy would be retried and then parked as poison.
     */
    public static final Duration DEFAULT_STAGE_REPLY_TIMEOUT = Duration.ofMinutes(2);

    public Options {
      Objects.requireNonNull(retrySchedule, "retrySchedule");
      Objects.requireNonNull(loop, "loop");
      if (bodyReadTimeout == null || bodyReadTimeout.isNegative() || bodyReadTimeout.isZero()) {
        throw new IllegalArgumentException("bodyReadTimeout must be positive, got " + bodyReadTimeout);
      }
      smtp = new SmtpClientOptions(Objects.requireNonNull(smtp, "smtp"));
      if (maxConnectionsPerDestination < 1) {
        throw new IllegalArgumentException(
            "maxConnectionsPerDestination must be at least 1, got " + maxConnectionsPerDestination);
      }
    }

    public static Options defaults() {
      return new Options(TransportRetrySchedule.of(TransportService.defaults()),
          new SmtpClientOptions().setReplyTimeout(DEFAULT_STAGE_REPLY_TIMEOUT),
          DestinationLimiter.DEFAULT_MAX_PER_DESTINATION, StageLoop.Options.defaults(),
          BodyChunks.DEFAULT_READ_TIMEOUT);
    }

    public Options withRetrySchedule(RetrySchedule schedule) {
      return new Options(schedule, smtp, maxConnectionsPerDestination, loop, bodyReadTimeout);
    }

    public Options withSmtp(SmtpClientOptions options) {
      return new Options(retrySchedule, options, maxConnectionsPerDestination, loop, bodyReadTimeout);
    }

    public Options withMaxConnectionsPerDestination(int max) {
      return new Options(retrySchedule, smtp, max, loop, bodyReadTimeout);
    }

    public Options withBodyReadTimeout(Duration timeout) {
      return new Options(retrySchedule, smtp, maxConnectionsPerDestination, loop, timeout);
    }

    public Options withLoop(StageLoop.Options options) {
      return new Options(retrySchedule, smtp, maxConnectionsPerDestination, options, bodyReadTimeout);
    }

    /** Where the stage's meters and its Kafka clients' go: the loop's registry ({@link StageLoop.Options#meters()}). */
    public MeterRegistry meters() {
      return loop.meters();
    }

    /** Records the stage's meters in {@code registry} (by default a private SimpleMeterRegistry nothing reads). */
    public Options withMeters(MeterRegistry registry) {
      return withLoop(loop.withMeters(registry));
    }

    /**
     * The node's Set-TransportService settings: MaxOutboundConnections, MaxPerDomainOutboundConnections,
     * SmtpMaxMessagesPerConnection, and the retry schedule (TransientFailureRetryAttempts and -Interval,
     * OutboundConnectionFailureRetryInterval, MessageRetryInterval, DelayNotificationTimeout,
     * MessageExpirationTimeout) after this schedule's glitch tier (organization {@code transportService}).
     */
    public Options withTransportService(TransportService service) {
      return new Options(TransportRetrySchedule.of(retrySchedule, service),
          new SmtpClientOptions(smtp).setMaxOutboundConnections(service.maxOutboundConnections())
              .setMaxMessagesPerConnection(service.smtpMaxMessagesPerConnection()),
          service.maxPerDomainOutboundConnections(), loop.withPoisonThreshold(service.poisonThreshold()),
          bodyReadTimeout);
    }
  }

  private DeliveryStage(StageLoop<DeliveryItem> loop, List<RetryForwarder> forwarders, SmartHostRelay relay,
      MxResolver mx, BodyChunks chunks, TopicPublisher publisher, Context context, ControlView control) {
    this.loop = loop;
    this.control = control;
    this.chunks = chunks;
    this.forwarders = forwarders;
    this.relay = relay;
    this.mx = mx;
    this.publisher = publisher;
    this.context = context;
  }

  /**
   * The admin settings as this stage sees them now (tests wait on it: a setting written to mail.control.v1 is in
   * force here a moment later, once this stage's view has read it).
   */
  ControlView control() {
    return control;
  }

  /** Starts the stage with {@link Options#defaults()}. */
  public static DeliveryStage start(Vertx vertx, String bootstrapServers, Organization organization,
      Path mailStoreRoot) {
    return start(vertx, bootstrapServers, organization, mailStoreRoot, Options.defaults());
  }

  /**
   * Starts consuming mail.delivery.v1. Topics must exist (TopicProvisioner). The stage's meters (per queue
   * {@code mailflow.delivery.queue.*}, {@link QueueStates}; stage-wide {@code mailflow.delivery.*},
   * {@link DeliveryMeters}) and its Kafka clients' go to {@link Options#meters()}.
   *
   * @param mailStoreRoot the Maildir store root, {@code <data-dir>/mailstore}
   */
  public static DeliveryStage start(Vertx vertx, String bootstrapServers, Organization organization,
      Path mailStoreRoot, Options options) {
    MeterRegistry meters = options.meters();
    Context context = vertx.getOrCreateContext();
    TopicPublisher publisher = TopicPublisher.create(bootstrapServers,
        "mailflow-" + STAGE_NAME + "-" + organization.serverName(), STAGE_NAME, meters,
        EventEncoding.of(organization));
    options.loop().publisherSetup().accept(publisher); // the node's tracking switch, MSGTRK and SEND files
    MaildirStore store = MaildirStore.create(vertx, mailStoreRoot, organization.serverName());
    SmartHostRelay relay = new SmartHostRelay(vertx,
        new SmtpClientOptions(options.smtp()).setMaxConnectionsPerDestination(options.maxConnectionsPerDestination()),
        new DestinationLimiter(options.maxConnectionsPerDestination(), options.smtp().getMaxOutboundConnections()));
    MxResolver mx = new MxResolver(vertx, DNS_QUERY_TIMEOUT);
    BodyChunks chunks = BodyChunks.start(bootstrapServers, "mailflow-" + STAGE_NAME + "-bodies-"
        + organization.serverName(), options.bodyReadTimeout());
    ControlView control;
    try {
      control = ControlView.start(bootstrapServers, "mailflow-" + STAGE_NAME + "-control-"
          + organization.serverName(), CONTROL_TIMEOUT);
    } catch (RuntimeException e) {
      chunks.close();
      publisher.close();
      throw e;
    }
    Clock clock = Clock.systemUTC();
    NextHopQueues nextHops = new NextHopQueues(options.retrySchedule());
    QueueStates queueStates = new QueueStates(context, nextHops, control::all, publisher, organization.serverName(),
        meters, clock);
    control.onChange(queueStates::controlChanged);
    DeliveryMeters deliveryMeters = new DeliveryMeters(meters, relay::openConnections);
    MessageControl messages = new MessageControl(id -> control.get(ControlKind.MESSAGE, id));
    DeliveryDispatcher dispatcher = new DeliveryDispatcher(context, organization.serverName(), chunks, queueStates,
        messages, agents(vertx, context, organization, options, store, relay, mx, publisher, nextHops, clock),
        settlement(context, organization, options, publisher, queueStates, clock, deliveryMeters), clock);
    StageLoop<DeliveryItem> loop;
    List<RetryForwarder> forwarders = new ArrayList<>();
    try {
      for (Topic<DeliveryItem> delayTopic : RetryTopics.ALL) {
        forwarders.add(RetryForwarder.start(bootstrapServers, "mailflow-" + STAGE_NAME + "-"
            + organization.serverName(), STAGE_NAME, delayTopic, publisher, Clock.systemUTC(), options.loop()));
      }
      List<RetryForwarder> started = List.copyOf(forwarders);
      // a queue's retry-now, and an action on one copy, apply within seconds to copies waiting on delay topics
      control.onChange(r -> RetryForwarder.Release.of(r)
          .ifPresent(release -> started.forEach(f -> f.release(release))));
      loop = StageLoop.start(STAGE_NAME, bootstrapServers, GROUP_ID, Topics.DELIVERY, dispatcher, publisher,
          options.loop());
    } catch (RuntimeException e) {
      forwarders.forEach(RetryForwarder::close);
      control.close();
      chunks.close();
      publisher.close();
      throw e;
    }
    log.info("delivery: consuming {} as {}, delay topics as {}, mail store {}", Topics.DELIVERY.name(), GROUP_ID,
        RetryForwarder.groupId(STAGE_NAME), store.root());
    return new DeliveryStage(loop, List.copyOf(forwarders), relay, mx, chunks, publisher, context, control);
  }

  /**
   * One agent per delivery type: the whole set of delivery paths, built once per stage; the SMTP agents stand
   * behind {@link RetryHold}.
   */
  private static DeliveryAgents agents(Vertx vertx, Context context, Organization organization, Options options,
      MaildirStore store, SmartHostRelay relay, MxResolver mx, TopicPublisher publisher, NextHopQueues nextHops,
      Clock clock) {
    // Verbose connectors' outbound sessions to mail.protocol.v1 (direction Send), keyed by session id like the edge's
    SendProtocolLogs protocolLogs = new SendProtocolLogs(organization,
        event -> publisher.send(Topics.PROTOCOL, event.getSessionId(), event), clock);
    SmtpSend smtp = new SmtpSend(relay, nextHops, organization, clock, protocolLogs);
    return new DeliveryAgents(
        new MailboxAgent(new MailboxDeliverer(store, LmtpStore.create(vertx, new SmtpClientOptions(options.smtp())
            .setHeloName(organization.serverName()).setProtocolLog(protocolLogs.of(SiteRelay.CONNECTOR_ID))),
            organization)), // LMTP connections idle out; Vert.x closes the client
        new RetryHold(nextHops, clock, new SendConnectorAgent(organization, smtp, mx)),
        new RetryHold(nextHops, clock, new SiteRelayAgent(organization, smtp)),
        new UnreachableQueue(context, publisher, options.retrySchedule(), clock, organization.serverName(),
            organization.transportService().messageTracking().subjectLoggingEnabled()),
        new UnimplementedDeliveryType());
  }

  /** Delay topics, tracking events and reports for every settled copy. */
  private static Settlement settlement(Context context, Organization organization, Options options,
      TopicPublisher publisher, QueueStates queueStates, Clock clock, DeliveryMeters meters) {
    DsnGenerator dsns = new DsnGenerator(new DsnReports(organization, clock)); // one report writer for the stage
    return new Settlement(context, publisher, options.retrySchedule(), queueStates, dsns,
        new DeliveryNotices(dsns, options.retrySchedule()), new Tracking(organization.serverName(), clock,
            organization.transportService().messageTracking().subjectLoggingEnabled()), clock,
        meters);
  }

  /** How this instance's consumer loop stands: its place in the delivery consumer group, and when it stopped. */
  public StageStatus status() {
    return loop;
  }

  /**
   * Lets the current batch finish and commit, then closes the SMTP clients and the publisher. Blocks
   * (up to about 25 s: StageLoop.CLOSE_GRACE, then the SMTP clients): call it from a main or shutdown
   * thread, not an event loop.
   */
  @Override
  public void close() {
    // every loop drains and leaves its group at the same time, then each is waited for
    loop.requestStop();
    forwarders.forEach(RetryForwarder::requestStop);
    loop.close();
    forwarders.forEach(RetryForwarder::close);
    control.close();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    context.runOnContext(v -> Future.join(relay.close(), mx.close()).onComplete(ar -> closed.complete(null)));
    try {
      closed.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("delivery: closing SMTP clients: {}", e.toString());
    }
    chunks.close();
    publisher.close();
  }
}
