package io.mailflow.categorizer.kafka;

import io.mailflow.categorizer.EnvelopeLimits;
import io.mailflow.categorizer.RecipientResolver;
import io.mailflow.categorizer.Resolution;
import io.mailflow.categorizer.ResolutionEvent;
import io.mailflow.categorizer.ResolvedRecipients;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.TrackingEvents;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CategorizerStage - reads the submission queue, resolves recipients, writes categorized copies.
 *
 * <p>One submitted message becomes one categorized copy per ExpansionSizeLimit recipients (usually one),
 * all keyed by the network message id, each with its own internal id; a message over
 * MaxRecipientEnvelopeLimit after expansion yields no copy and a FAIL event ({@code 5.5.3}). Its offset is
 * committed only after the copies and tracking events are acknowledged; a replayed submission yields the
 * same internal message ids, so downstream de-duplication sees the same copies.
 */
public final class CategorizerStage implements AutoCloseable {
  public static final String GROUP_ID = "mailflow-categorizer";
  private static final String SOURCE = "CATEGORIZER";

  private final Organization organization;
  private final RecipientResolver resolver;
  private final EnvelopeLimits limits;
  private final TopicPublisher publisher;
  private final StageLoop<SubmittedMessage> loop;

  private CategorizerStage(String bootstrapServers, Organization organization, StageLoop.Options options) {
    this.organization = organization;
    this.resolver = new RecipientResolver(organization, Directory.of(organization));
    this.limits = new EnvelopeLimits(organization.transportConfig());
    this.publisher = TopicPublisher.create(bootstrapServers, "mailflow-categorizer-" + organization.serverName());
    this.loop = StageLoop.start("categorizer", bootstrapServers, GROUP_ID, Topics.SUBMISSION, this::categorize,
        publisher, options);
  }

  /** Starts one categorizer instance; any number may run against the same cluster. */
  public static CategorizerStage start(String bootstrapServers, Organization organization, StageLoop.Options options) {
    return new CategorizerStage(bootstrapServers, organization, options);
  }

  private CompletionStage<?> categorize(String key, SubmittedMessage message, RecordOrigin origin) {
    Envelope envelope = message.getEnvelope();
    Map<String, Recipient> byAddress = new HashMap<>();
    List<String> addresses = new ArrayList<>();
    for (Recipient recipient : message.getRecipients()) {
      byAddress.putIfAbsent(recipient.getAddress().toLowerCase(Locale.ROOT), recipient);
      addresses.add(recipient.getAddress());
    }
    ResolvedRecipients resolved = resolver.resolve(addresses);
    EnvelopeLimits.Copies copies = limits.apply(addresses, resolved);
    String internalId = internalMessageId(envelope.getNetworkMessageId(), 0);

    List<ResolutionEvent> events = new ArrayList<>(resolved.events());
    copies.failure().ifPresent(events::add);
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (ResolutionEvent event : events) {
      acks.add(publisher.send(Topics.TRACKING, envelope.getNetworkMessageId(),
          TrackingEvents.about(envelope, organization.serverName(), SOURCE, event.eventId(), event.recipients(),
                  event.status())
              .setInternalMessageId(internalId)
              .setRelatedRecipientAddress(event.related())
              .setReference(origin.toString())
              .build()));
    }
    for (int copy = 0; copy < copies.copies().size(); copy++) {
      List<ResolvedRecipient> recipients = new ArrayList<>();
      for (Resolution resolution : copies.copies().get(copy)) {
        Recipient original = byAddress.get(resolution.envelopeAddress().toLowerCase(Locale.ROOT));
        recipients.add(ResolvedRecipient.newBuilder()
            .setAddress(resolution.address())
            .setOriginalAddress(resolution.envelopeAddress())
            .setType(resolution.kind() == Resolution.Kind.MAILBOX ? RecipientType.MAILBOX : RecipientType.EXTERNAL)
            .setMailboxDatabase(resolution.database())
            .setExpandedFrom(resolution.expandedFrom())
            .setOrcpt(original == null ? null : original.getOrcpt())
            .setNotify(original == null ? List.of() : original.getNotify())
            .build());
      }
      acks.add(publisher.send(Topics.CATEGORIZED, envelope.getNetworkMessageId(), CategorizedMessage.newBuilder()
          .setEnvelope(envelope)
          .setInternalMessageId(internalMessageId(envelope.getNetworkMessageId(), copy))
          .setRecipients(recipients)
          .setBody(message.getBody())
          .build()));
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
  }

  /**
   * The id of copy {@code copy} of a message: derived, not random, so processing the same submission
   * twice (a replay, a rebalance) names the same copy.
   */
  static String internalMessageId(String networkMessageId, int copy) {
    return UUID.nameUUIDFromBytes((networkMessageId + "/" + copy).getBytes(StandardCharsets.UTF_8)).toString();
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
