package io.mailflow.delivery.agent.smtp;

import io.mailflow.delivery.core.ConnectionFailure;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.smtp.EhloCapabilities;
import io.mailflow.smtp.SmtpReply;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SendResult - what one SMTP session achieved: an outcome per recipient, in the order given, with the
 * replies they rest on.
 *
 * <p>Some recipients may be delivered while others are deferred or refused in the same transaction.
 * When the session broke ({@link #failure()}), recipients the remote had not already answered for
 * with a final word are transient, with a reply we wrote that says where it broke.
 */
public final class SendResult {

  private final String endpoint;
  private final EhloCapabilities capabilities;
  private final List<DeliveryOutcome> outcomes;
  private final Map<String, SmtpReply> recipientReplies;
  private final SmtpReply finalReply;
  private final ConnectionFailure failure;
  private final boolean transactionStarted;
  private final int transactionOnConnection;

  SendResult(String endpoint, EhloCapabilities capabilities, List<DeliveryOutcome> outcomes,
      Map<String, SmtpReply> recipientReplies, SmtpReply finalReply, ConnectionFailure failure,
      boolean transactionStarted, int transactionOnConnection) {
    this.endpoint = endpoint;
    this.capabilities = capabilities;
    this.outcomes = List.copyOf(outcomes);
    this.recipientReplies = Collections.unmodifiableMap(new LinkedHashMap<>(recipientReplies));
    this.finalReply = finalReply;
    this.failure = failure;
    this.transactionStarted = transactionStarted;
    this.transactionOnConnection = transactionOnConnection;
  }

  /**
   * Which transaction this was on its connection: 1 on a new connection, 2 and up on a reused one
   * (connection reuse, SmtpMaxMessagesPerConnection); 0 when no transaction could start.
   */
  public int transactionOnConnection() {
    return transactionOnConnection;
  }

  /** {@code host:port} of the remote this session talked to (or tried to). */
  public String endpoint() {
    return endpoint;
  }

  /** What the remote announced in EHLO; {@link EhloCapabilities#none()} after HELO or before EHLO. */
  public EhloCapabilities capabilities() {
    return capabilities;
  }

  /** One outcome per recipient, in the order of {@link OutboundMessage#recipients()}. */
  public List<DeliveryOutcome> outcomes() {
    return outcomes;
  }

  /** The remote's reply to each RCPT TO it answered, by recipient. */
  public Map<String, SmtpReply> recipientReplies() {
    return recipientReplies;
  }

  /**
   * The remote's last word on the transaction: its reply after the final dot, or its refusal of MAIL
   * FROM or DATA; empty when the session ended before one.
   */
  public Optional<SmtpReply> finalReply() {
    return Optional.ofNullable(finalReply);
  }

  /** Why the session ended early, if it did. */
  public Optional<ConnectionFailure> failure() {
    return Optional.ofNullable(failure);
  }

  /** True once MAIL FROM was sent: from then on the remote may hold part of the transaction. */
  public boolean transactionStarted() {
    return transactionStarted;
  }

  /**
   * True when nothing was handed over and the host itself was the problem (no connection, refused
   * greeting or HELO, dropped before MAIL): the next smart host or MX may do better.
   */
  public boolean tryAnotherHost() {
    return failure != null && !transactionStarted;
  }

  @Override
  public String toString() {
    return "SendResult[" + endpoint + ", " + outcomes + (failure == null ? "" : ", failure=" + failure) + "]";
  }
}
