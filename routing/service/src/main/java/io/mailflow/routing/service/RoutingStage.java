package io.mailflow.routing.service;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.StageStatus;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.Organization;
import io.mailflow.routing.graph.NextHopKey;
import io.mailflow.routing.graph.RouteDecision;
import io.mailflow.routing.graph.Router;
import io.mailflow.routing.graph.RoutingDestination;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RoutingStage - reads categorized copies, picks each recipient's next hop, writes one delivery item
 * per next hop to {@code mail.delivery.v1} keyed by the next-hop key (so one delivery queue lives in
 * one partition).
 *
 * <p>The decision itself is {@link Router}'s (pure, cached per topology version and destination); this
 * class only groups recipients and talks to Kafka. Every item written is tracked as TRANSFER with the
 * next-hop key in source-context: the enqueue event queue views are computed from.
 *
 * <p>Down sites are the organization's ({@code sites[].down}) plus those an admin took down at run time
 * ({@code mailflow site down}: a SITE record in state Down on mail.control.v1, read through a
 * {@link ControlView}). A change to that set builds a new {@link Router} at once; its topology version
 * includes the down set, so no route cached under the old state is used again.
 *
 * <p>A copy routed to Unreachable carries {@code notBefore} = when it was routed. Delivery's Unreachable
 * queue reads that as "just routed: wait for the retry schedule" and hands the copy back here (with its
 * attempt count) only once it returns from a retry topic, whose forwarder clears {@code notBefore}.
 */
public final class RoutingStage implements AutoCloseable {
  public static final String GROUP_ID = "mailflow-routing";
  /** The admin state this stage reads: SITE records in this state take a site down. */
  public static final String SITE_DOWN = "Down";
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(RoutingStage.class);

  private final Organization organization;
  private final Tracking tracking;
  private final ControlView control;
  private volatile Router router;
  private volatile Set<String> runTimeDown;
  private final TopicPublisher publisher;
  private final StageLoop<CategorizedMessage> loop;
  private final RoutingMeters meters;

  private RoutingStage(String bootstrapServers, Organization organization, StageLoop.Options options) {
    this.organization = organization;
    this.tracking = Tracking.of(organization.serverName(),
        organization.transportService().messageTracking().subjectLoggingEnabled());
    this.control = ControlView.start(bootstrapServers, "mailflow-routing-control-" + organization.serverName(),
        CONTROL_TIMEOUT);
    this.runTimeDown = runTimeDownSites(organization, control.all());
    this.router = Router.create(organization, runTimeDown);
    control.onChange(this::controlChanged);
    this.meters = new RoutingMeters(options.meters());
    this.publisher = TopicPublisher.create(bootstrapServers, "mailflow-routing-" + organization.serverName(),
        "routing", options.meters(), EventEncoding.of(organization));
    options.publisherSetup().accept(publisher); // the node's tracking switch and MSGTRK file
    this.loop = StageLoop.start("routing", bootstrapServers, GROUP_ID, Topics.CATEGORIZED, this::route, publisher,
        options);
  }

  /**
   * Starts one routing instance; any number may run against the same cluster. Its meters
   * ({@code mailflow.routing.*}, {@link RoutingMeters}) and its Kafka clients' go to {@code options.meters()}.
   */
  public static RoutingStage start(String bootstrapServers, Organization organization, StageLoop.Options options) {
    return new RoutingStage(bootstrapServers, organization, options);
  }

  /**
   * Sites in state Down on the control topic that this organization knows (case-insensitive); a record
   * naming a site the config lacks is ignored rather than stopping routing (the CLI refuses such names).
   */
  static Set<String> runTimeDownSites(Organization organization, Map<String, ControlRecord> control) {
    Set<String> down = new TreeSet<>();
    for (ControlRecord record : control.values()) {
      if (record.getKind() != ControlKind.SITE || !SITE_DOWN.equalsIgnoreCase(record.getState())) {
        continue;
      }
      organization.sites().stream().filter(s -> s.name().equalsIgnoreCase(record.getTarget())).findFirst()
          .ifPresentOrElse(s -> down.add(s.name()), () -> log.warn("routing: ignoring control record for unknown"
              + " site '{}' (set by {})", record.getTarget(), record.getSetBy()));
    }
    return down;
  }

  /** On the control view's thread: a SITE change builds a new Router when the down set changed. */
  private void controlChanged(ControlRecord record) {
    if (record.getKind() != ControlKind.SITE) {
      return;
    }
    Set<String> down = runTimeDownSites(organization, control.all());
    if (!down.equals(runTimeDown)) {
      runTimeDown = down;
      router = Router.create(organization, down);
      log.info("routing: site {} {} by {} ({}); run-time down sites now {}, topology version {}", record.getTarget(),
          record.getState(), record.getSetBy(), record.getReason() == null ? "no reason given" : record.getReason(),
          down, router.topologyVersion());
    }
  }

  /** The router in force now: a new one after every change of the down sites. */
  Router router() {
    return router;
  }

  private CompletionStage<?> route(String key, CategorizedMessage message, RecordOrigin origin) {
    Envelope envelope = message.getEnvelope();
    Router router = this.router; // one topology for the whole message
    Map<NextHopKey, List<ResolvedRecipient>> byNextHop = new LinkedHashMap<>();
    long computedBefore = router.computedRoutes(); // only this loop's thread routes with this router
    for (ResolvedRecipient recipient : message.getRecipients()) {
      RouteDecision decision = router.route(destinationOf(recipient), envelope.getSize());
      byNextHop.computeIfAbsent(decision.nextHop(), k -> new ArrayList<>()).add(recipient);
      meters.decided(decision.nextHop().deliveryType());
    }
    long misses = router.computedRoutes() - computedBefore;
    meters.cacheMisses.increment(misses);
    meters.cacheHits.increment(message.getRecipients().size() - misses);
    meters.items.increment(byNextHop.size());

    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (Map.Entry<NextHopKey, List<ResolvedRecipient>> queue : byNextHop.entrySet()) {
      NextHopKey nextHop = queue.getKey();
      String internalId = byNextHop.size() == 1
          ? message.getInternalMessageId()
          : forkedId(message.getInternalMessageId(), nextHop);
      DeliveryItem item = DeliveryItem.newBuilder()
          .setEnvelope(envelope)
          .setInternalMessageId(internalId)
          .setNextHop(NextHop.newBuilder()
              .setDeliveryType(DeliveryType.valueOf(nextHop.deliveryType().name()))
              .setNextHopDomain(nextHop.nextHopDomain())
              .setConnector(nextHop.connector())
              .build())
          .setRecipients(queue.getValue())
          .setBody(message.getBody())
          .setAttempt(message.getAttempt())
          .setNotBefore(nextHop.deliveryType() == io.mailflow.routing.graph.DeliveryType.Unreachable
              ? Instant.now() : null)
          .build();
      acks.add(publisher.send(Topics.DELIVERY, nextHop.asRecordKey(), item));
      List<String> addresses = queue.getValue().stream().map(ResolvedRecipient::getAddress).toList();
      acks.add(publisher.track(tracking.about(envelope, TrackingSource.ROUTING, TrackingEventId.TRANSFER,
            addresses, List.of())
          .setInternalMessageId(internalId)
          .setSourceContext("NextHop: " + nextHop.asRecordKey())
          .setConnectorId(nextHop.connector())
          .setReference(message.getInternalMessageId())
          .build()));
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
  }

  private static RoutingDestination destinationOf(ResolvedRecipient recipient) {
    if (recipient.getType() == RecipientType.MAILBOX && recipient.getMailboxDatabase() != null) {
      return RoutingDestination.database(recipient.getMailboxDatabase());
    }
    String address = recipient.getAddress();
    return RoutingDestination.externalDomain(address.substring(address.lastIndexOf('@') + 1));
  }

  /** A copy forked per next hop gets its own id, derived so that re-routing names the same copy. */
  private static String forkedId(String internalId, NextHopKey nextHop) {
    return UUID.nameUUIDFromBytes((internalId + "/" + nextHop.asRecordKey()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** How this instance's consumer loop stands: its place in the routing consumer group, and when it stopped. */
  public StageStatus status() {
    return loop;
  }

  @Override
  public void close() {
    loop.close();
    publisher.close();
    control.close();
  }
}
