package io.mailflow.categorizer.kafka;

import io.mailflow.categorizer.EnvelopeLimits;
import io.mailflow.categorizer.EnvelopeRecipient;
import io.mailflow.categorizer.ExpandedGroup;
import io.mailflow.categorizer.FailedRecipient;
import io.mailflow.categorizer.RecipientResolver;
import io.mailflow.categorizer.Resolution;
import io.mailflow.categorizer.ResolutionEvent;
import io.mailflow.categorizer.ResolutionEventId;
import io.mailflow.categorizer.ResolvedRecipients;
import io.mailflow.categorizer.SendAsCheck;
import io.mailflow.dsn.submission.DsnReports;
import io.mailflow.dsn.submission.DsnSubmission;
import io.mailflow.dsn.submission.Report;
import io.mailflow.kafka.EventEncoding;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.StageLoop;
import io.mailflow.kafka.StageStatus;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.Directory;
import io.mailflow.organization.Organization;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.CategorizedMessage;
import io.mailflow.schemas.avro.DsnNotify;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.Recipient;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * CategorizerStage - reads the submission queue, resolves recipients, writes categorized copies.
 *
 * <p>One submitted message becomes one categorized copy per envelope (bifurcation: a group reporting to its
 * manager or to nobody changes the envelope sender of its members' copy; a mailbox that keeps a copy and
 * forwards puts the forwarded recipients in a copy of their own), each cut per ExpansionSizeLimit
 * recipients; all are keyed by the network message id, each with its own internal id. A message over
 * MaxRecipientEnvelopeLimit yields no copy and a FAIL event ({@code 5.5.3}); so does an authenticated
 * submission whose From:/Sender: the submitter may not send as ({@code 5.7.60}). Failed recipients are
 * reported to the sender in a non-delivery report ({@link NonDeliveryReports}) on mail.submission.v1. Its
 * offset is committed only after the copies, reports and tracking events are acknowledged; a replayed submission yields the
 * same internal message ids, so downstream de-duplication sees the same copies.
 */
public final class CategorizerStage implements AutoCloseable {
  public static final String GROUP_ID = "mailflow-categorizer";

  private final Organization organization;
  private final Tracking tracking;
  private final RecipientResolver resolver;
  private final EnvelopeLimits limits;
  private final SendAsCheck sendAs;
  private final NonDeliveryReports ndrs;
  private final TopicPublisher publisher;
  private final StageLoop<SubmittedMessage> loop;
  private final CategorizerMeters meters;

  private CategorizerStage(String bootstrapServers, Organization organization, StageLoop.Options options) {
    this.organization = organization;
    this.tracking = Tracking.of(organization.serverName(),
        organization.transportService().messageTracking().subjectLoggingEnabled());
    Directory directory = Directory.of(organization);
    this.resolver = new RecipientResolver(directory);
    this.limits = new EnvelopeLimits(organization.transportConfig());
    this.sendAs = new SendAsCheck(directory, organization.receiveConnectors());
    this.ndrs = new NonDeliveryReports(new DsnReports(organization, Clock.systemUTC()));
    this.meters = new CategorizerMeters(options.meters());
    this.publisher = TopicPublisher.create(bootstrapServers, "mailflow-categorizer-" + organization.serverName(),
        "categorizer", options.meters(), EventEncoding.of(organization));
    options.publisherSetup().accept(publisher); // the node's tracking switch and MSGTRK file
    this.loop = StageLoop.start("categorizer", bootstrapServers, GROUP_ID, Topics.SUBMISSION, this::categorize,
        publisher, options);
  }

  /**
   * Starts one categorizer instance; any number may run against the same cluster. Its meters
   * ({@code mailflow.categorizer.*}, {@link CategorizerMeters}) and its Kafka clients' go to {@code options.meters()}.
   */
  public static CategorizerStage start(String bootstrapServers, Organization organization, StageLoop.Options options) {
    return new CategorizerStage(bootstrapServers, organization, options);
  }

  private CompletionStage<?> categorize(String key, SubmittedMessage message, RecordOrigin origin) {
    long started = System.nanoTime();
    Envelope envelope = message.getEnvelope();
    List<EnvelopeRecipient> envelopeRecipients = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (Recipient recipient : message.getRecipients()) {
      envelopeRecipients.add(new EnvelopeRecipient(recipient.getAddress(), recipient.getOrcpt(),
          List.copyOf(DsnSubmission.notify(recipient.getNotify()))));
      addresses.add(recipient.getAddress());
    }
    String internalId = internalMessageId(envelope.getNetworkMessageId(), 0);
    List<ResolutionEvent> events = new ArrayList<>();
    List<FailedRecipient> failed = new ArrayList<>();
    List<ExpandedGroup> expanded = new ArrayList<>();
    EnvelopeLimits.Copies copies;
    Optional<String> refused = envelope.getAuthenticatedAs() == null ? Optional.empty()
        : sendAs.refusedSender(envelope.getAuthenticatedAs(), envelope.getReceiveConnector(),
            headerSection(message.getBody()));
    if (refused.isPresent()) {
      events.add(new ResolutionEvent(ResolutionEventId.FAIL, distinct(addresses),
          distinct(addresses).stream().map(a -> SendAsCheck.DENIED).toList(), null));
      distinctRecipients(envelopeRecipients).forEach(r -> failed.add(FailedRecipient.of(r, SendAsCheck.DENIED)));
      copies = new EnvelopeLimits.Copies(List.of(), Optional.empty());
    } else {
      ResolvedRecipients resolved = resolver.resolveEnvelope(envelopeRecipients);
      copies = limits.apply(addresses, resolved);
      events.addAll(resolved.events());
      copies.failure().ifPresent(events::add);
      if (copies.failure().isPresent()) { // the whole message failed: that is the one thing to report
        distinctRecipients(envelopeRecipients)
            .forEach(r -> failed.add(FailedRecipient.of(r, EnvelopeLimits.TOO_MANY_RECIPIENTS)));
      } else {
        failed.addAll(resolved.failed());
        expanded.addAll(resolved.expanded());
      }
    }
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (ResolutionEvent event : events) {
      acks.add(publisher.track(
          tracking.about(envelope, TrackingSource.CATEGORIZER, trackingEventId(event.eventId()),
                  event.recipients(), event.status())
              .setInternalMessageId(internalId)
              .setRelatedRecipientAddress(event.related())
              .setReference(origin.toString())
              .build()));
    }
    // NDRs go out in the same commit boundary as the copies: the offset moves only when all are acked.
    for (Report report : ndrs.reports(message, internalId, failed, expanded)) {
      acks.addAll(report.publish(publisher));
      meters.reported(report.kind());
    }
    (copies.copies().isEmpty() && !failed.isEmpty() ? meters.refused : meters.categorized).increment();
    meters.failed.increment(failed.size());
    meters.copies.increment(copies.copies().size());
    for (ResolutionEvent event : events) {
      if (event.eventId() == ResolutionEventId.EXPAND) {
        meters.expanded.increment(event.recipients().size());
      }
    }
    for (int copy = 0; copy < copies.copies().size(); copy++) {
      List<ResolvedRecipient> recipients = new ArrayList<>();
      String sender = copies.copies().get(copy).get(0).sender(); // one sender per copy: that is why it is one
      for (Resolution resolution : copies.copies().get(copy)) {
        recipients.add(ResolvedRecipient.newBuilder()
            .setAddress(resolution.address())
            .setOriginalAddress(resolution.envelopeAddress())
            .setType(resolution.kind() == Resolution.Kind.MAILBOX ? RecipientType.MAILBOX : RecipientType.EXTERNAL)
            .setMailboxDatabase(resolution.database())
            .setExpandedFrom(resolution.expandedFrom())
            .setOrcpt(resolution.orcpt())
            .setNotify(resolution.dsnNotify().stream().map(n -> DsnNotify.valueOf(n.name())).toList())
            .build());
      }
      Envelope copyEnvelope = sender == null ? envelope : Envelope.newBuilder(envelope).setSender(sender).build();
      meters.resolved.increment(recipients.size());
      acks.add(publisher.send(Topics.CATEGORIZED, envelope.getNetworkMessageId(), CategorizedMessage.newBuilder()
          .setEnvelope(copyEnvelope)
          .setInternalMessageId(internalMessageId(envelope.getNetworkMessageId(), copy))
          .setRecipients(recipients)
          .setBody(message.getBody())
          .build()));
    }
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .whenComplete((ok, e) -> meters.processing.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
  }

  /**
   * The tracking event a resolution step is logged as: Exchange's event id of the same name. A switch, not
   * {@code valueOf}, so an id the core adds without a tracking counterpart fails the build, not a message.
   */
  static TrackingEventId trackingEventId(ResolutionEventId id) {
    return switch (id) {
      case RESOLVE -> TrackingEventId.RESOLVE;
      case EXPAND -> TrackingEventId.EXPAND;
      case DUPLICATEEXPAND -> TrackingEventId.DUPLICATEEXPAND;
      case REDIRECT -> TrackingEventId.REDIRECT;
      case FAIL -> TrackingEventId.FAIL;
    };
  }

  /**
   * The header section of the body (up to and including the line that ends it), copied: an inline body's start,
   * or a claim-checked body's head. Only the header's octets are copied, not a large body's.
   */
  static byte[] headerSection(Object body) {
    ByteBuffer bytes = body instanceof InlineBody inline ? inline.getData()
        : body instanceof BodyReference reference ? reference.getHead() : ByteBuffer.allocate(0);
    ByteBuffer view = bytes.duplicate();
    int start = view.position();
    int end = view.limit();
    for (int i = start; i < end; i++) {
      if (view.get(i) == '\n' && (i + 1 < end && view.get(i + 1) == '\n'
          || i + 2 < end && view.get(i + 1) == '\r' && view.get(i + 2) == '\n')) {
        end = i + 1;
        break;
      }
    }
    byte[] data = new byte[end - start];
    view.get(data);
    return data;
  }

  /** The body as a report quotes it: an inline body whole, or a claim-checked body's head (copied). */
  static byte[] head(Object body) {
    ByteBuffer bytes = body instanceof InlineBody inline ? inline.getData()
        : body instanceof BodyReference reference ? reference.getHead() : ByteBuffer.allocate(0);
    ByteBuffer view = bytes.duplicate();
    byte[] data = new byte[view.remaining()];
    view.get(data);
    return data;
  }

  private static List<EnvelopeRecipient> distinctRecipients(List<EnvelopeRecipient> recipients) {
    Set<String> seen = new LinkedHashSet<>();
    return recipients.stream().filter(r -> seen.add(r.address().toLowerCase(Locale.ROOT))).toList();
  }

  private static List<String> distinct(List<String> addresses) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> distinct = new ArrayList<>();
    for (String address : addresses) {
      if (seen.add(address.toLowerCase(Locale.ROOT))) {
        distinct.add(address);
      }
    }
    return distinct;
  }

  /**
   * The id of copy {@code copy} of a message: derived, not random, so processing the same submission
   * twice (a replay, a rebalance) names the same copy.
   */
  static String internalMessageId(String networkMessageId, int copy) {
    return UUID.nameUUIDFromBytes((networkMessageId + "/" + copy).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** How this instance's consumer loop stands: its place in the categorizer consumer group, and when it stopped. */
  public StageStatus status() {
    return loop;
  }

  @Override
  public void close() {
    loop.close();
    publisher.close();
  }
}
