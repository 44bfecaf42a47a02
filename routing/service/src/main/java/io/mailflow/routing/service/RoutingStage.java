package io.mailflow.routing.service;

import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEvents;
import io.mailflow.organization.Organization;
import io.mailflow.routing.graph.NextHopKey;
import io.mailflow.routing.graph.RouteDecision;
import io.mailflow.routing.graph.Router;
import io.mailflow.routing.graph.RoutingDestination;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RoutingStage - reads categorized copies, picks each recipient's next hop, writes one delivery item
 * per next hop to {@code mail.delivery.v1} keyed by the next-hop key (so one delivery queue lives in
 * one partition).
 *
 * <p>The decision itself is {@link Router}'s (pure, cached per topology version and destination); this
 * class only groups recipients and talks to Kafka. Every item written is tracked as TRANSFER with the
 * next-hop key in source-context: the enqueue event queue views are computed from.
 */
public final class RoutingStage implements AutoCloseable {
  public static final String GROUP_ID = "mailflow-routing";
  private static final String SOURCE = "ROUTING";

  private final Organization organization;
  private final Router router;
  private final TopicPublisher publisher;
  private final StageLoop<CategorizedMessage> loop;

  private RoutingStage(String bootstrapServers, Organization organization, StageLoop.Options options) {
    this.organization = organization;
    this.router = Router.create(organization);
    this.publisher = TopicPublisher.create(bootstrapServers, "mailflow-routing-" + organization.serverName());
    this.loop = StageLoop.start("routing", bootstrapServers, GROUP_ID, Topics.CATEGORIZED, this::route, publisher,
        options);
  }

  /** Starts one routing instance; any number may run against the same cluster. */
  public static RoutingStage start(String bootstrapServers, Organization organization, StageLoop.Options options) {
    return new RoutingStage(bootstrapServers, organization, options);
  }

  private CompletionStage<?> route(String key, CategorizedMessage message, RecordOrigin origin) {
    Envelope envelope = message.getEnvelope();
    Map<NextHopKey, List<ResolvedRecipient>> byNextHop = new LinkedHashMap<>();
    for (ResolvedRecipient recipient : message.getRecipients()) {
      RouteDecision decision = router.route(destinationOf(recipient), envelope.getSize());
      byNextHop.computeIfAbsent(decision.nextHop(), k -> new ArrayList<>()).add(recipient);
    }

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
          .build();
      acks.add(publisher.send(Topics.DELIVERY, nextHop.asRecordKey(), item));
      List<String> addresses = queue.getValue().stream().map(ResolvedRecipient::getAddress).toList();
      acks.add(publisher.send(Topics.TRACKING, envelope.getNetworkMessageId(),
          TrackingEvents.about(envelope, organization.serverName(), SOURCE, "TRANSFER", addresses, List.of())
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

  public CompletableFuture<Void> stopped() {
    return loop.stopped();
  }

  @Override
  public void close() {
    loop.close();
    publisher.close();
  }
}
