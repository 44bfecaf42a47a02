package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.BodyChunks;
import io.mailflow.delivery.agent.body.BodyUnavailableException;
import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.body.ReferencedMessage;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.kafka.RecordProcessor;
import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.BodyReference;
import io.mailflow.schemas.avro.BodyType;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeliveryDispatcher - takes each record of mail.delivery.v1 to its end: our Received field on the copy,
 * the admin's actions on the copy and its queue, the {@link DeliveryAgent} for its delivery type
 * ({@link DeliveryAgents}), then the {@link Settlement}; the stage loop commits the offset only when the
 * settlement is durable.
 *
 * <p>An admin's action on the copy itself ({@link MessageControl}: suspended, removed) comes first, then its
 * queue's: a suspended queue holds its copies without an attempt. A claim-checked body Kafka cannot serve now
 * defers the copy; one that is gone or corrupt fails the record, which the stage loop parks on
 * mail.poison.v1. A {@link ConfigurationError} is logged once per error as an error: the admin must act.
 *
 * <p>Everything runs on one Vert.x context; only {@link #process} is called from the Kafka thread.
 */
final class DeliveryDispatcher implements RecordProcessor<DeliveryItem> {

  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);
  /** Distinct configuration errors remembered as logged; beyond this they are logged again after a reset. */
  static final int MAX_LOGGED_CONFIGURATION_ERRORS = 1_000;

  private final Context context;
  private final String serverName;
  private final BodyChunks chunks;
  private final QueueStates queueStates;
  private final MessageControl messages;
  private final DeliveryAgents agents;
  private final Settlement settlement;
  private final Clock clock;
  private final Set<ConfigurationError> loggedConfigurationErrors = new HashSet<>();

  DeliveryDispatcher(Context context, String serverName, BodyChunks chunks, QueueStates queueStates,
      MessageControl messages, DeliveryAgents agents, Settlement settlement, Clock clock) {
    this.context = context;
    this.serverName = serverName;
    this.chunks = chunks;
    this.queueStates = queueStates;
    this.messages = messages;
    this.agents = agents;
    this.settlement = settlement;
    this.clock = clock;
  }

  @Override
  public CompletionStage<?> process(String key, DeliveryItem item, RecordOrigin origin) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      Future<Void> turn;
      try {
        turn = dispatch(key, item, origin);
      } catch (RuntimeException e) {
        turn = Future.failedFuture(e);
      }
      turn.onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete(null);
        } else {
          done.completeExceptionally(ar.cause());
        }
      });
    });
    return done;
  }

  private Future<Void> dispatch(String key, DeliveryItem item, RecordOrigin origin) {
    MessageSource content = contentOf(item);
    SourceContext turn = SourceContext.attempt(item.getAttempt(), key);
    queueStates.started(key, item);
    Optional<Attempted> decided = adminDecision(key, item, turn);
    Future<Attempted> attempted = decided.isPresent()
        ? Future.succeededFuture(decided.get())
        : agents.forType(item.getNextHop().getDeliveryType()).attempt(item, content, turn)
            .recover(e -> bodyTrouble(item, turn, origin, e));
    return attempted.onSuccess(this::logConfigurationError)
        .compose(a -> settlement.settle(key, item, a, content))
        .onComplete(ar -> queueStates.finished(key, item));
  }

  /**
   * What an admin decided instead of an attempt, if anything: the copy's own action first (a removal wins over a
   * suspended queue), then its queue's suspension.
   */
  private Optional<Attempted> adminDecision(String key, DeliveryItem item, SourceContext turn) {
    Optional<Attempted> message = messages.decide(item, turn);
    return message.isPresent() ? message : queueStates.suspension(key).map(s -> queueSuspended(item, turn, s));
  }

  /** Every recipient deferred, no attempt: an admin suspended the queue (its copies wait, and expire as ever). */
  private static Attempted queueSuspended(DeliveryItem item, SourceContext turn, ControlRecord suspension) {
    return Attempted.sameForAll(item, turn.queued().with("queue suspended").with("no attempt"), SmtpReply.of(451,
        "4.4.0", "Queue suspended " + MessageControl.byWhom(suspension)));
  }

  /**
   * A claim-checked body that could not be read. Kafka not answering is transient: every recipient is
   * deferred like any transient failure. A chunk that is gone or not what the reference says is permanent:
   * the record fails, so the stage loop parks it on mail.poison.v1 with the reason (kept and replayable,
   * never dropped), and the copies after it go on.
   */
  private static Future<Attempted> bodyTrouble(DeliveryItem item, SourceContext turn, RecordOrigin origin,
      Throwable e) {
    if (!(e instanceof BodyUnavailableException body)) {
      return Future.failedFuture(e);
    }
    if (body.permanent()) {
      log.error("delivery: {} at {} cannot be delivered: {}", item.getInternalMessageId(), origin, body.getMessage());
      return Future.failedFuture(new BodyUnavailableException("delivery item " + item.getInternalMessageId()
          + " at " + origin + ": claim-checked body unreadable: " + body.getMessage(), true, body));
    }
    return Future.succeededFuture(Attempted.sameForAll(item, turn.with("body unavailable"), SmtpReply.of(451, "4.4.0",
        "Message body not readable from " + Topics.BODIES.name() + " now: " + body.getMessage())));
  }

  /** Once per distinct error (until many have piled up): an admin must fix the config; the copies wait. */
  private void logConfigurationError(Attempted attempted) {
    ConfigurationError error = attempted.configurationError();
    if (error == null) {
      return;
    }
    if (loggedConfigurationErrors.size() >= MAX_LOGGED_CONFIGURATION_ERRORS) {
      loggedConfigurationErrors.clear();
    }
    if (loggedConfigurationErrors.add(error)) {
      log.error("delivery: configuration error on {}: {} (fix {}); copies for next hop {} stay queued and are "
          + "retried on the schedule", serverName, error.what(), error.configKey(), attempted.context().nextHop());
    }
  }

  /**
   * The copy's content with this hop's Received header on top: an inline body copied once (header and body into one
   * array), or a claim-checked body whose head gets the header and whose chunks are read from mail.bodies.v1 as it
   * is written out.
   */
  private MessageSource contentOf(DeliveryItem item) {
    Envelope envelope = item.getEnvelope();
    if (item.getBody() instanceof InlineBody inline) {
      return MessageSource.of(ReceivedHeader.prepend(inline.getData(), envelope.getReceivingServer(), serverName,
          item.getInternalMessageId(), clock.instant()));
    }
    BodyReference reference = (BodyReference) item.getBody();
    MessageSource body = ReferencedMessage.of(reference, chunks, envelope.getNetworkMessageId(),
        envelope.getBodyType() != BodyType.SEVEN_BIT);
    return body.withHead(ReceivedHeader.prepend(body.head(), envelope.getReceivingServer(), serverName,
        item.getInternalMessageId(), clock.instant()));
  }

}
