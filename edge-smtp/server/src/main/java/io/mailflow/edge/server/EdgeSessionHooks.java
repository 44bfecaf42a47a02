package io.mailflow.edge.server;

import io.mailflow.edge.protocol.BodySpill;
import io.mailflow.edge.protocol.HookResult;
import io.mailflow.edge.protocol.MailFrom;
import io.mailflow.edge.protocol.MessageContent;
import io.mailflow.edge.protocol.RcptTo;
import io.mailflow.edge.protocol.ReceivedMessage;
import io.mailflow.edge.protocol.SessionHooks;
import io.mailflow.edge.protocol.SessionInfo;
import io.mailflow.edge.protocol.SmtpEnvelope;
import io.mailflow.kafka.Tracking;
import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.organization.ExtendedRight;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * EdgeSessionHooks - the edge's answers for one session: the connector's policy for MAIL and RCPT,
 * the Received header, and queueing. A message is answered 250 here, and only here, once the
 * Submission queue acknowledged it (with the Kafka publisher: its transaction committed); then its RECEIVE
 * tracking event is written. A client is told 452 4.3.1 at the submission timeout only once the publisher took
 * the message back ({@link SubmissionPublisher#withdraw}).
 */
final class EdgeSessionHooks implements SessionHooks {
  private final EdgeConnector edge;
  private final Context context;
  private final ProtocolLog log;
  private final Instant sessionStart;
  private final OrganizationRelay servers;
  private long internalId;
  private int traceLength;
  private int messages;
  /** The message whose queue write the client is waiting for, if any; event loop only. */
  private Pending pending;

  /** A queue write not yet answered: what the client would lose if it went away now. */
  private record Pending(String networkMessageId, CompletionStage<Void> publication, CompletableFuture<SmtpReply> reply) {}

  EdgeSessionHooks(EdgeConnector edge, Context context, ProtocolLog log) {
    this.edge = edge;
    this.context = context;
    this.log = log;
    this.sessionStart = edge.options().clock().instant();
    this.servers = new OrganizationRelay(edge.organization());
  }

  /** Checks the password on a worker thread (PBKDF2 is slow on purpose); logs the outcome, never the password. */
  @Override
  public CompletionStage<Optional<String>> authenticate(SessionInfo session, String mechanism, String user,
      char[] password) {
    CompletableFuture<Optional<String>> result = new CompletableFuture<>();
    Optional<Duration> coolDown = edge.logons().refusal(session.clientIp());
    if (coolDown.isPresent()) {
      // too many failures from this address, in any session: no password is checked until it cools down
      Arrays.fill(password, '\0');
      edge.meters().authRefused.increment();
      log.info(mechanism + " " + user, "Inbound authentication refused: " + edge.connector().authFailureLimits()
          .refusalThreshold() + " or more failed logons from " + session.clientIp() + " within "
          + edge.connector().authFailureLimits().window().toSeconds() + " s (authFailureRefusalThreshold); cool-down "
          + "ends in " + Math.max(1, coolDown.get().toSeconds()) + " s");
      held(() -> result.completeExceptionally(new IllegalStateException("client IP cooling down"))); // 454 4.7.0
      return result;
    }
    edge.vertx().executeBlocking(() -> edge.authenticator().verify(user, password), false).onComplete(done -> {
      // back on the session's context: the protocol log is written from there only
      if (done.failed()) {
        log.info(String.valueOf(done.cause()), "Inbound authentication failed: directory error");
        result.completeExceptionally(done.cause());
      } else if (done.result().isPresent()) {
        edge.meters().authSucceeded.increment();
        String identity = done.result().get();
        log.info(identity, "authenticated");
        log.info(SessionRights.describe(edge.policy().rightsOf(identity)),
            "Set Session Permissions");
        result.complete(done.result());
      } else {
        edge.meters().authFailed.increment();
        log.info(mechanism + " " + user, "Inbound authentication failed with error LogonDenied");
        AuthFailureLedger.Failure failure =
            edge.logons().failed(session.clientIp(), edge.authenticator().account(user));
        if (failure.tarpit()) {
          edge.meters().authTarpitted.increment();
          log.info(failure.fromSource() + " failed logons from " + session.clientIp() + ", " + failure.onAccount()
              + " as " + user + " within " + edge.connector().authFailureLimits().window().toSeconds()
              + " s (authFailureTarpitThreshold " + edge.connector().authFailureLimits().tarpitThreshold() + ")",
              "Tarpit for " + edge.connector().tarpitInterval().toMillis() + " ms");
          held(() -> result.complete(Optional.empty()));
        } else {
          result.complete(Optional.empty());
        }
      }
    });
    return result;
  }

  /** Runs {@code answer} after the connector's tarpitInterval, on a timer: the event loop never waits. */
  private void held(Runnable answer) {
    long delay = edge.connector().tarpitInterval().toMillis();
    if (delay == 0) {
      answer.run();
    } else {
      edge.vertx().setTimer(delay, id -> answer.run());
    }
  }

  @Override
  public HookResult mailFrom(SessionInfo session, MailFrom from) {
    HookResult pressure = backPressure(session);
    if (pressure != null) {
      return pressure;
    }
    HookResult policy = edge.policy().mailFrom(session, from);
    if (policy.accepted() && !edge.rate().allows(session.clientIp(), session.authenticatedAs())) {
      log.info("messageRateLimit " + edge.connector().messageRateLimit() + "/min per "
          + edge.connector().messageRateSource(), "Message rate limit exceeded");
      return HookResult.denySoft(EdgeReplies.RATE_LIMITED); // a 421: the engine ends the session
    }
    return policy;
  }

  /**
   * Exchange's back pressure at MAIL FROM: at Medium only the organization's sessions may submit (a mailbox after
   * AUTH, an Exchange server by certificate or externally secured connector, a client at one of the servers[]
   * addresses; Exchange: "reject incoming messages from non-Exchange servers", so anonymous and partner sessions
   * are refused), at High none may; refused with 452 4.3.1 (the client keeps the message and retries), the
   * resources at that level to the protocol log. Null: go on.
   */
  private HookResult backPressure(SessionInfo session) {
    BackPressure.Status status = edge.options().backPressure().status(); // one volatile read
    if (status.level() == PressureLevel.Low) {
      return null;
    }
    SessionPrincipal.Kind principal = edge.policy().principal(session).kind();
    boolean fromOrganization = principal == SessionPrincipal.Kind.USER
        || principal == SessionPrincipal.Kind.EXCHANGE_SERVER || principal == SessionPrincipal.Kind.EXTERNALLY_SECURED
        || servers.isServer(session.clientIp());
    if (status.level() == PressureLevel.Medium && fromOrganization) {
      return null;
    }
    log.info(status.why(), "Rejected by back pressure (" + status.level() + ")");
    return HookResult.denySoft(EdgeReplies.INSUFFICIENT_RESOURCES);
  }

  @Override
  public HookResult rcptTo(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo rcpt) {
    return edge.policy().rcptTo(session, rcpt);
  }

  @Override
  public byte[] traceHeader(SessionInfo session, SmtpEnvelope envelope) {
    internalId = edge.ids().nextInternalId();
    byte[] header = ReceivedHeader.build(session, edge.fqdn(), internalId,
        ZonedDateTime.now(edge.options().clock()));
    traceLength = header.length;
    return header;
  }

  /** A message past the inline limit streams its body to mail.bodies.v1 when the publisher has a body store. */
  @Override
  public Optional<BodySpill> spill(SessionInfo session, SmtpEnvelope envelope) {
    return edge.publisher().bodies().map(store -> new BodyUpload(store, context));
  }

  /** A body chunk was not stored: the same replies as a failed submission write, the cause to the log. */
  @Override
  public SmtpReply spillFailed(SessionInfo session, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    log.info(cause.toString(), "Queue write failed");
    return cause instanceof BackPressureException
        ? EdgeReplies.INSUFFICIENT_RESOURCES : EdgeReplies.QUEUE_WRITE_FAILED;
  }

  @Override
  public CompletionStage<SmtpReply> message(ReceivedMessage message) {
    long endOfData = System.nanoTime();
    CompletionStage<SmtpReply> reply = queue(message);
    EdgeMeters meters = edge.meters();
    long octets = message.content().size();
    return reply.whenComplete((r, failure) -> {
      meters.dataToReply.record(System.nanoTime() - endOfData, TimeUnit.NANOSECONDS);
      if (r != null && r.code() == 250) {
        meters.messagesAccepted.increment();
        meters.bytesAccepted.record(octets);
      }
    });
  }

  /** Queues a message: the reply is 250 once the Submission queue acknowledged it. */
  private CompletionStage<SmtpReply> queue(ReceivedMessage message) {
    long id = internalId;
    int sequence = ++messages;
    MessageContent content = message.content();
    // the whole message, or only its head (header section, CRLF CRLF included) when the body spilled
    byte[] received = content.toByteArray();
    BodyUpload upload = content.spilled() && content.spill() instanceof BodyUpload own ? own : null;
    if (content.spilled() && upload == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "message spilled to a store this edge did not open: " + content.spill()));
    }
    boolean acceptRoutingHeaders = edge.policy().rights(message.session()).contains(ExtendedRight.ACCEPT_HEADERS_ROUTING);
    HeaderFirewall.Verdict verdict = HeaderFirewall.apply(received, traceLength, edge.connector().maxHeaderSize(),
        acceptRoutingHeaders, servers.isServer(message.session().clientIp()));
    if (verdict.refusal() != null) {
      log.info(verdict.hops() + " Received fields; maxHeaderSize " + edge.connector().maxHeaderSize(),
          "Message refused by the header firewall");
      return CompletableFuture.completedFuture(verdict.refusal());
    }
    if (verdict.stripped() > 0) {
      log.info(verdict.stripped() + " X-MailFlow-*/X-MS-Exchange-Organization-* fields",
          "Organization headers removed (not a trusted relay)");
    }
    // one id across the organization's servers, as Exchange's: kept only from a trusted relay
    String networkMessageId = verdict.networkMessageId() != null
        ? verdict.networkMessageId() : UUID.randomUUID().toString();
    byte[] kept = verdict.content();
    HeaderFields headers = HeaderFields.parse(
        message.content().head(edge.connector().maxHeaderSize() + traceLength));
    String messageId = headers.messageId();
    byte[] body = kept;
    if (messageId == null) {
      // as Exchange does: a message without Message-ID gets one, so tracking can follow it
      messageId = "<" + networkMessageId + "@" + edge.fqdn() + ">";
      body = withHeaderAfterTrace(kept, "Message-ID: " + messageId + "\r\n");
    }
    SubmissionRecord.Stamp stamp = new SubmissionRecord.Stamp(networkMessageId, edge.options().clock().instant(),
        edge.organization().serverName(), edge.connector().name(), messageId, headers.subject());
    // a spilled body: the envelope carries the head as queued and where the chunks are. Should the
    // envelope not be written, the chunks stay on mail.bodies.v1 unreferenced until retention removes them.
    SubmittedMessage record = upload == null
        ? SubmissionRecord.build(message, body, stamp, edge.policy()::recipientAddress)
        : SubmissionRecord.build(message, upload.reference(body, content.spilledOctets()), stamp,
            edge.policy()::recipientAddress);
    String queuedId = messageId;

    CompletableFuture<SmtpReply> reply = new CompletableFuture<>();
    long timeoutMs = edge.options().submissionTimeout().toMillis();
    CompletionStage<Void> published;
    try {
      published = edge.publisher().publish(record, edge.options().submissionTimeout());
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    CompletionStage<Void> publication = published;
    Pending waiting = new Pending(networkMessageId, publication, reply);
    pending = waiting;
    reply.whenComplete((r, e) -> {
      if (pending == waiting) {
        pending = null;
      }
    });
    long timer = edge.vertx().setTimer(timeoutMs, t -> {
      if (reply.isDone()) {
        return;
      }
      // 452 only for a message that will never be written: one whose commit started waits for its outcome
      if (!edge.publisher().withdraw(publication)) {
        log.info("Submission queue commit of " + networkMessageId + " in progress after " + timeoutMs
            + " ms; waiting for its outcome", "Queue write committing");
      } else if (reply.complete(EdgeReplies.INSUFFICIENT_RESOURCES)) {
        log.info("Submission queue did not acknowledge " + networkMessageId + " within " + timeoutMs + " ms",
            "Queue write timed out");
      }
    });
    published.whenComplete((ok, failure) -> context.runOnContext(v -> {
      edge.vertx().cancelTimer(timer);
      if (failure == null) {
        // durable now: 250 (unless the client was already told 452: only from a publisher that cannot
        // withdraw, a plain Kafka write; the client may then send a duplicate)
        edge.rate().counted(message.session().clientIp(), message.session().authenticatedAs());
        if (!reply.complete(EdgeReplies.queued(queuedId, id, edge.fqdn()))) {
          log.info(networkMessageId + " acknowledged after the client was answered 452", "Late queue write");
        }
        edge.events().tracking(receiveEvent(record, message.session(), id, sequence));
      } else {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        SmtpReply refusal = cause instanceof BackPressureException
            ? EdgeReplies.INSUFFICIENT_RESOURCES : EdgeReplies.QUEUE_WRITE_FAILED;
        if (reply.complete(refusal)) {
          log.info(cause.toString(), "Queue write failed");
        }
      }
    }));
    return reply;
  }

  /**
   * The client went away: a message it has no answer for yet is taken back if it still can be, as Exchange
   * discards a message whose connection drops before its 250. The client never learnt it was accepted and will
   * send it again, so writing it too would be a duplicate. One whose commit started is written (and tracked) as
   * usual: that case is the one SMTP cannot close (RFC 1047).
   */
  void disconnected() {
    Pending waiting = pending;
    if (waiting == null || waiting.reply().isDone()) {
      return;
    }
    if (edge.publisher().withdraw(waiting.publication())) {
      waiting.reply().complete(EdgeReplies.INSUFFICIENT_RESOURCES); // nobody reads it: the socket is gone
      log.info("Client disconnected before the submission queue acknowledged " + waiting.networkMessageId()
          + "; withdrawn", "Queue write withdrawn");
    } else {
      log.info("Client disconnected while the submission queue commit of " + waiting.networkMessageId()
          + " was in progress; it is queued", "Queue write committing");
    }
  }

  /** Exchange's RECEIVE event of source SMTP for the message just queued. */
  private TrackingEvent receiveEvent(SubmittedMessage record, SessionInfo session, long id, int sequence) {
    List<String> recipients = record.getRecipients().stream().map(r -> r.getAddress()).toList();
    return new Tracking(edge.organization().serverName(), edge.options().clock(),
        edge.organization().transportService().messageTracking().subjectLoggingEnabled())
        .about(record.getEnvelope(), TrackingSource.SMTP, TrackingEventId.RECEIVE,
            recipients, List.of())
        .setClientIp(session.clientIp()).setClientHostname(session.heloName())
        .setServerIp(session.serverIp())
        .setConnectorId(edge.connectorId())
        .setSourceContext(session.sessionId() + ";" + sessionStart + ";" + sequence)
        .setInternalMessageId(Long.toString(id))
        .setDirectionality("Incoming")
        .build();
  }

  private byte[] withHeaderAfterTrace(byte[] content, String header) {
    byte[] field = header.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[content.length + field.length];
    System.arraycopy(content, 0, out, 0, traceLength);
    System.arraycopy(field, 0, out, traceLength, field.length);
    System.arraycopy(content, traceLength, out, traceLength + field.length, content.length - traceLength);
    return out;
  }
}
