package io.mailflow.edge.protocol;

import io.mailflow.smtp.SmtpReply;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SessionHooks - the policy and queueing decisions the engine leaves to its user. Every decision
 * hook defaults to ACCEPT; only {@link #message} must be written.
 *
 * <p>Hooks are called on the session's thread and must not block it. Decision hooks answer at
 * once; {@link #message} answers later through its CompletionStage, and the engine holds further
 * (pipelined) input until it has.
 */
public interface SessionHooks {

  /** Before the greeting. A denial is sent instead of the greeting and the session ends. */
  default HookResult connect(SessionInfo session) {
    return HookResult.ACCEPT;
  }

  /** EHLO or HELO with a syntactically valid name. */
  default HookResult helo(SessionInfo session, String name) {
    return HookResult.ACCEPT;
  }

  /**
   * AUTH: check the credentials the client gave (PLAIN or LOGIN, already decoded). Answers the identity
   * the session is authenticated as, or empty when the credentials are wrong (535); a stage completed
   * exceptionally is answered 454 4.7.0. Asynchronous so that slow password hashing stays off the
   * session's thread; the engine holds further input meanwhile. The hook may clear {@code password}.
   */
  default CompletionStage<Optional<String>> authenticate(SessionInfo session, String mechanism, String user,
      char[] password) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  /** MAIL FROM after its syntax and SIZE were checked. */
  default HookResult mailFrom(SessionInfo session, MailFrom from) {
    return HookResult.ACCEPT;
  }

  /** RCPT TO after its syntax and the recipient limit were checked. */
  default HookResult rcptTo(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo rcpt) {
    return HookResult.ACCEPT;
  }

  /** DATA, or the first BDAT of a transaction, before any content is read. */
  default HookResult data(SessionInfo session, SmtpEnvelope envelope) {
    return HookResult.ACCEPT;
  }

  /**
   * Octets placed before the message content, e.g. a {@code Received:} header ending in CRLF.
   * Called once per message when its content starts; not counted against the size limit.
   */
  default byte[] traceHeader(SessionInfo session, SmtpEnvelope envelope) {
    return new byte[0];
  }

  /**
   * The message outgrew {@link SmtpConfig#inlineBodyLimit()}: where its body goes from here. Called
   * at most once per message, on the session's thread. Empty (the default) keeps the whole message in
   * memory, bounded by the size limit only.
   */
  default Optional<BodySpill> spill(SessionInfo session, SmtpEnvelope envelope) {
    return Optional.empty();
  }

  /**
   * A spill write failed with {@code cause}: the reply the client gets once it finished sending the
   * message (the engine reads it to its end, then discards the spill). Default 451 4.3.0.
   */
  default SmtpReply spillFailed(SessionInfo session, Throwable cause) {
    return Replies.LOCAL_ERROR;
  }

  /**
   * The client finished a message: queue it and answer with the reply the client gets (250 once it
   * is safely queued, 4xx if it could not be). A stage completed exceptionally is answered with
   * {@link Replies#LOCAL_ERROR}.
   */
  CompletionStage<SmtpReply> message(ReceivedMessage message);
}
