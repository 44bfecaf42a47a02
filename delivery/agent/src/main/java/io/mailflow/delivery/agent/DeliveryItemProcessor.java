package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.DeliveryTracking.Attempt;
import io.mailflow.delivery.agent.body.BodyChunks;
import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.body.ReferencedMessage;
import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.RetrySchedule;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.RecordProcessor;
import io.mailflow.kafka.Topic;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.Tracking;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeliveryItemProcessor - one record of mail.delivery.v1 from start to durable end: deliver the copy
 * (mailbox or smart host), write the tracking events, put transient recipients on a delay topic, and
 * only then let the stage loop commit the offset.
 *
 * <p>Retries never block: transient recipients go at once to the delay topic for their wait
 * ({@link RetrySchedule#delayAfter}), with {@code notBefore} and attempt + 1; a {@link RetryForwarder}
 * puts them back on mail.delivery.v1 when due. A smart-host queue whose hosts could not be reached goes
 * to Retry ({@link NextHopQueues}); until its retry time its copies go straight to a delay topic
 * without a connection attempt. A copy past the expiration timeout fails (550 4.4.7 QUEUE.Expired).
 * Nothing is ever dropped: every recipient ends DELIVER/SEND, FAIL, or on a delay topic. Recipients that
 * failed for good get one DSN per copy ({@link DsnGenerator}), submitted to mail.submission.v1.
 *
 * <p>Everything runs on one Vert.x context; only {@link #process} is called from the Kafka thread.
 */
final class DeliveryItemProcessor implements RecordProcessor<DeliveryItem> {

  private static final Logger log = LoggerFactory.getLogger(DeliveryItemProcessor.class);

  private final Context context;
  private final Organization organization;
  private final MailboxDeliverer mailboxes;
  private final SmartHostRelay relay;
  private final MxResolver mx;
  private final TopicPublisher publisher;
  private final RetrySchedule schedule;
  private final NextHopQueues queues;
  private final QueueStates queueStates;
  private final DsnGenerator dsns;
  private final DeliveryNotices notices;
  private final SiteRelay sites;
  private final BodyChunks chunks;
  private final Clock clock;

  DeliveryItemProcessor(Context context, Organization organization, MailboxDeliverer mailboxes,
      SmartHostRelay relay, MxResolver mx, BodyChunks chunks, TopicPublisher publisher, RetrySchedule schedule,
      Clock clock, QueueStates queueStates) {
    this.context = context;
    this.chunks = chunks;
    this.organization = organization;
    this.mailboxes = mailboxes;
    this.relay = relay;
    this.mx = mx;
    this.publisher = publisher;
    this.schedule = schedule;
    this.queueStates = queueStates;
    this.queues = queueStates.nextHops();
    this.dsns = new DsnGenerator(organization, clock);
    this.notices = new DeliveryNotices(dsns, schedule);
    this.sites = new SiteRelay(organization);
    this.clock = clock;
  }

  @Override
  public CompletionStage<?> process(String key, DeliveryItem item, RecordOrigin origin) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      Future<Void> attempt;
      try {
        attempt = attempt(key, item, origin);
      } catch (RuntimeException e) {
        attempt = Future.failedFuture(e);
      }
      attempt.onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete(null);
        } else {
          done.completeExceptionally(ar.cause());
        }
      });
    });
    return done;
  }

  /**
   * What an attempt achieved; {@code attempted} is false when the queue's Retry state skipped it;
   * {@code dsnPassedOn}: the remote offered DSN and got our NOTIFY/ORCPT, so it reports success, not us.
   */
  private record Tried(Attempt attempt, List<DeliveryOutcome> outcomes, boolean attempted, boolean dsnPassedOn) {
    Tried(Attempt attempt, List<DeliveryOutcome> outcomes, boolean attempted) {
      this(attempt, outcomes, attempted, false);
    }

    Tried(Attempt attempt, List<DeliveryOutcome> outcomes) {
      this(attempt, outcomes, true);
    }
  }

  private Future<Void> attempt(String key, DeliveryItem item, RecordOrigin origin) {
    MessageSource body = bodyOf(item);
    MessageSource content = body.withHead(ReceivedHeader.prepend(body.head(),
        item.getEnvelope().getReceivingServer(), organization.serverName(), item.getInternalMessageId(),
        clock.instant()));
    NextHop nextHop = item.getNextHop();
    String where = "attempt " + (item.getAttempt() + 1) + "; next hop " + key;
    queueStates.started(key, item);
    Optional<ControlRecord> suspended = queueStates.suspension(key);
    if (suspended.isPresent()) {
      return settle(key, item, queueSuspended(item, where, suspended.get()), content)
          .onComplete(ar -> queueStates.finished(key));
    }
    Future<Tried> tried = switch (nextHop.getDeliveryType()) {
      case SmtpDeliveryToMailbox -> mailboxes.deliver(item, content)
          .map(outcomes -> new Tried(new Attempt(DeliveryTracking.STOREDRIVER, null, null, where), outcomes));
      case SmartHostConnectorDelivery -> smartHost(key, item, content, where);
      case SmtpRelayToRemoteAdSite, SmtpRelayToDag, SmtpRelayToConnectorSourceServers ->
          siteRelay(key, item, content, where);
      case DnsConnectorDelivery -> smartHost(key, item, content, where);
      case Unreachable -> new UnreachableQueue(context, publisher, schedule, clock, organization.serverName())
          .handle(item).map(o -> new Tried(new Attempt(UnreachableQueue.SOURCE, null, null, where), o));
      default -> notYet(item, where, "delivery type " + nextHop.getDeliveryType() + " not implemented yet");
    };
    return tried.recover(e -> bodyTrouble(item, where, origin, e)).compose(t -> settle(key, item, t, content))
        .onComplete(ar -> queueStates.finished(key));
  }

  /**
   * A claim-checked body that could not be read. Kafka not answering is transient: every recipient is
   * deferred like any transient failure. A chunk that is gone or not what the reference says is permanent:
   * the record fails, so the stage loop parks it on mail.poison.v1 with the reason (kept and replayable,
   * never dropped), and the copies after it go on.
   */
  private Future<Tried> bodyTrouble(DeliveryItem item, String where, RecordOrigin origin, Throwable e) {
    if (!(e instanceof BodyUnavailableException body)) {
      return Future.failedFuture(e);
    }
    if (body.permanent()) {
      log.error("delivery: {} at {} cannot be delivered: {}", item.getInternalMessageId(), origin, body.getMessage());
      return Future.failedFuture(new BodyUnavailableException("delivery item " + item.getInternalMessageId()
          + " at " + origin + ": claim-checked body unreadable: " + body.getMessage(), true, body));
    }
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      outcomes.add(new DeliveryOutcome.Transient(r.getAddress(), SmtpReply.of(451, "4.4.0",
          "Message body not readable from " + Topics.BODIES.name() + " now: " + body.getMessage())));
    }
    return Future.succeededFuture(new Tried(new Attempt(DeliveryTracking.SMTP, item.getNextHop().getConnector(),
        null, where + "; body unavailable"), outcomes));
  }

  private Future<Tried> smartHost(String key, DeliveryItem item, MessageSource content, String where) {
    Optional<NextHopQueues.Retry> retry = queues.inRetry(key, clock.instant());
    if (retry.isPresent()) {
      return Future.succeededFuture(queuedInRetry(item, where, retry.get()));
    }
    String connectorName = item.getNextHop().getConnector();
    Optional<SendConnector> connector = organization.sendConnectors().stream()
        .filter(c -> c.name().equalsIgnoreCase(connectorName == null ? "" : connectorName))
        .findFirst();
    if (connector.isEmpty()) {
      return notYet(item, where, "send connector '" + connectorName + "' is not in this node's organization config");
    }
    SendConnector sc = connector.get();
    String heloName = organization.connectorFqdn(sc.fqdn());
    if (!sc.usesSmartHosts()) {
      return viaMx(key, item, content, where, sc, heloName);
    }
    return send(key, item, content, where, sc.smartHosts(), heloName, sc.name());
  }

  /**
   * DNS MX routing: the next-hop domain's exchanges in preference order (or its own address: implicit MX),
   * each on the connector's port, with the smart-host failover rule. NXDOMAIN and null MX fail every
   * recipient for good (550 5.4.4, a DSN); a DNS server failure or timeout defers them.
   */
  private Future<Tried> viaMx(String key, DeliveryItem item, MessageSource content, String where, SendConnector sc,
      String heloName) {
    String domain = item.getNextHop().getNextHopDomain();
    return mx.resolve(domain, sc.dnsServer(), sc.port()).compose(resolution -> {
      if (resolution.failure() != null) {
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (ResolvedRecipient r : item.getRecipients()) {
          outcomes.add(resolution.failure().outcomeFor(r.getAddress()));
        }
        return Future.succeededFuture(new Tried(new Attempt(DeliveryTracking.SMTP, sc.name(), null,
            where + "; DNS " + (sc.dnsServer() == null ? "system resolver" : sc.dnsServer())), outcomes));
      }
      return send(key, item, content, where + "; MX " + String.join(", ", resolution.mxHosts()),
          resolution.targets(), heloName, sc.name());
    });
  }

  /** To other servers of the organization (remote site, DAG, connector source servers): see {@link SiteRelay}. */
  private Future<Tried> siteRelay(String key, DeliveryItem item, MessageSource content, String where) {
    Optional<NextHopQueues.Retry> retry = queues.inRetry(key, clock.instant());
    if (retry.isPresent()) {
      return Future.succeededFuture(queuedInRetry(item, where, retry.get()));
    }
    SiteRelay.Targets targets = sites.targets(item);
    if (targets.hosts().isEmpty()) {
      return notYet(item, where, targets.why());
    }
    MessageSource relayed = content.withHead(
        SiteRelay.withNetworkMessageId(content.head(), item.getEnvelope().getNetworkMessageId()));
    return send(key, item, relayed, where + "; servers " + String.join(", ", targets.servers()), targets.hosts(),
        organization.serverFqdn(), SiteRelay.CONNECTOR_ID);
  }

  private Future<Tried> send(String key, DeliveryItem item, MessageSource content, String where,
      List<SendConnector.SmartHost> hosts, String heloName, String connectorId) {
    List<String> addresses = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      addresses.add(r.getAddress());
    }
    // The bytes decide, not the BODY= the client declared: ASCII declared 8BITMIME still relays to a 7-bit host.
    OutboundMessage message = OutboundMessage.of(item.getEnvelope().getSender(), addresses, content)
        .withDsn(DeliveryNotices.passOn(item));
    return relay.relay(hosts, heloName, SmartHostRelay.security(organization, connectorId), message).map(relayed -> {
      if (relayed.result().tryAnotherHost()) {
        // every smart host failed before taking anything: the queue waits, its other copies with it
        queues.connectionFailed(key, clock.instant(), relayed.result().outcomes().get(0).reply());
      } else {
        queues.connected(key);
      }
      String endpoint = relayed.result().endpoint();
      String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
      String detail = where + "; tried " + String.join(", ", relayed.endpointsTried())
          + relayed.result().finalReply().map(r -> "; remote said " + r).orElse("");
      return new Tried(new Attempt(DeliveryTracking.SMTP, connectorId, host, detail), relayed.result().outcomes(),
          true, relayed.result().capabilities().dsn());
    });
  }

  /** Every recipient deferred, no connection attempted: the queue is in Retry. */
  private Tried queuedInRetry(DeliveryItem item, String where, NextHopQueues.Retry retry) {
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      outcomes.add(new DeliveryOutcome.Transient(r.getAddress(), SmtpReply.of(451, "4.4.0",
          "Queue in Retry until " + retry.until() + " after " + retry.consecutiveFailures()
              + " failed connection attempt(s); last error: " + retry.lastError())));
    }
    return new Tried(new Attempt(DeliveryTracking.SMTP, item.getNextHop().getConnector(), null,
        where.replaceFirst("^attempt \\d+", "queued") + "; no connection attempted"), outcomes, false);
  }

  /** Every recipient deferred, no attempt: an admin suspended the queue (its copies wait, and expire as ever). */
  private Tried queueSuspended(DeliveryItem item, String where, ControlRecord suspension) {
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      outcomes.add(new DeliveryOutcome.Transient(r.getAddress(), SmtpReply.of(451, "4.4.0",
          "Queue suspended by " + suspension.getSetBy()
              + (suspension.getReason() == null ? "" : ": " + suspension.getReason()))));
    }
    return new Tried(new Attempt(DeliveryTracking.SMTP, item.getNextHop().getConnector(), null,
        where.replaceFirst("^attempt \\d+", "queued") + "; queue suspended; no attempt"), outcomes, false);
  }

  /** Every recipient transient with {@code why}: the copy waits in the queue for code that can deliver it. */
  private Future<Tried> notYet(DeliveryItem item, String where, String why) {
    List<DeliveryOutcome> outcomes = new ArrayList<>();
    for (ResolvedRecipient r : item.getRecipients()) {
      outcomes.add(new DeliveryOutcome.Transient(r.getAddress(), SmtpReply.of(451, "4.4.0",
          why + " (next hop " + item.getNextHop().getDeliveryType() + " " + item.getNextHop().getNextHopDomain()
              + "); the message stays queued")));
    }
    return Future.succeededFuture(new Tried(new Attempt(DeliveryTracking.SMTP, item.getNextHop().getConnector(),
        null, where), outcomes));
  }

  /**
   * Tracking events out, transient recipients to a delay topic, a DSN for the failed ones to
   * mail.submission.v1; completes when Kafka has all of them.
   */
  private Future<Void> settle(String key, DeliveryItem item, Tried tried, MessageSource content) {
    Instant now = clock.instant();
    boolean expired = schedule.expired(item.getEnvelope().getReceivedAt(), now);
    List<DeliveryOutcome> outcomes = new ArrayList<>(tried.outcomes().size());
    List<ResolvedRecipient> retry = new ArrayList<>();
    for (int i = 0; i < tried.outcomes().size(); i++) {
      DeliveryOutcome o = tried.outcomes().get(i);
      if (o instanceof DeliveryOutcome.Transient && expired) {
        o = new DeliveryOutcome.Permanent(o.recipient(), schedule.expiredReply(o.reply()));
      } else if (o instanceof DeliveryOutcome.Transient) {
        retry.add(item.getRecipients().get(i));
      }
      outcomes.add(o);
    }
    queueStates.settled(key, item, outcomes, !retry.isEmpty());
    Attempt attempt = tried.attempt();
    List<Future<?>> durable = new ArrayList<>();
    if (!retry.isEmpty()) {
      // a skipped copy keeps its attempt count; it waits for the queue's retry, or its own, whichever is later
      int attempts = tried.attempted() ? item.getAttempt() + 1 : item.getAttempt();
      Instant due = now.plus(schedule.delayAfter(Math.max(1, attempts)));
      Optional<NextHopQueues.Retry> queueRetry = queues.inRetry(key, now);
      if (queueRetry.isPresent() && queueRetry.get().until().isAfter(due)) {
        due = queueRetry.get().until();
      }
      Topic<DeliveryItem> delayTopic = RetryTopics.forDelay(Duration.between(now, due));
      DeliveryItem again = DeliveryItem.newBuilder(item).setRecipients(retry).setAttempt(attempts)
          .setNotBefore(due).setDelayNotified(notices.delayNotified(item, now)).build();
      attempt = new Attempt(attempt.source(), attempt.connectorId(), attempt.remoteHost(),
          attempt.context() + "; deferred to " + delayTopic.name() + " until " + due);
      durable.add(acked(publisher.send(delayTopic, key, again)));
    }
    for (TrackingEvent event : DeliveryTracking.events(item, new Tracking(organization.serverName(), clock), attempt, outcomes)) {
      durable.add(acked(publisher.send(Topics.TRACKING, item.getEnvelope().getNetworkMessageId(), event)));
    }
    nonDeliveryReport(item, outcomes, content, attempt.remoteHost()).ifPresent(dsn -> {
      SubmittedMessage report = dsn.message();
      durable.add(acked(publisher.send(Topics.SUBMISSION, report.getEnvelope().getNetworkMessageId(), report)));
      for (TrackingEvent event : dsn.events()) {
        durable.add(acked(publisher.send(Topics.TRACKING, event.getNetworkMessageId(), event)));
      }
    });
    // delay DSN (once, past DelayNotificationTimeout) and success DSNs (NOTIFY=SUCCESS): DeliveryNotices
    for (DsnGenerator.Generated notice : notices.after(item, outcomes, content,
        attempt.source() == DeliveryTracking.STOREDRIVER, tried.dsnPassedOn(), attempt.remoteHost(), now)) {
      SubmittedMessage report = notice.message();
      durable.add(acked(publisher.send(Topics.SUBMISSION, report.getEnvelope().getNetworkMessageId(), report)));
      for (TrackingEvent event : notice.events()) {
        durable.add(acked(publisher.send(Topics.TRACKING, event.getNetworkMessageId(), event)));
      }
    }
    return Future.all(durable).mapEmpty();
  }

  /**
   * The DSN for the copy's failed recipients, if any may be reported. A DSN that cannot be built is
   * logged, not retried: the FAIL events are written either way, and retrying would deliver the copy's
   * other recipients again.
   */
  private Optional<DsnGenerator.Generated> nonDeliveryReport(DeliveryItem item, List<DeliveryOutcome> outcomes,
      MessageSource content, String remoteHost) {
    if (item.getReplayOf() != null || item.getEnvelope().getReplayOf() != null) {
      return Optional.empty(); // a replayed copy (Safety Net resubmit): the original already reported its fate
    }
    try {
      return dsns.forFailures(item, outcomes, content, remoteHost);
    } catch (RuntimeException e) {
      log.error("delivery: no DSN for {} (network message id {}, sender {}): {}", item.getInternalMessageId(),
          item.getEnvelope().getNetworkMessageId(), item.getEnvelope().getSender(), e.toString());
      return Optional.empty();
    }
  }

  /** The copy's content: inline, or read from mail.bodies.v1 chunk by chunk as it is written out. */
  private MessageSource bodyOf(DeliveryItem item) {
    if (item.getBody() instanceof InlineBody inline) {
      ByteBuffer data = inline.getData().duplicate();
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      return MessageSource.of(bytes);
    }
    BodyReference reference = (BodyReference) item.getBody();
    return ReferencedMessage.of(reference, chunks, item.getEnvelope().getNetworkMessageId(),
        item.getEnvelope().getBodyType() != BodyType.SEVEN_BIT);
  }

  /** A Kafka acknowledgement as a future completing on our context. */
  private <T> Future<T> acked(CompletableFuture<T> kafka) {
    return Future.fromCompletionStage(kafka, context);
  }
}
