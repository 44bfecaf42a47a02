package io.mailflow.delivery.core;

import io.mailflow.smtp.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * RetrySchedule - when a message that failed transiently is tried again, when its sender hears of the
 * delay, and when it expires (Exchange 2019's Set-TransportService schedule).
 *
 * <p>Attempts are counted as failed attempts so far: after the 1st..{@code glitchRetryCount}-th
 * failure wait {@code glitchRetryInterval}; after the next {@code transientFailureRetryCount} failures
 * wait {@code transientFailureRetryInterval}; after that wait {@code messageRetryInterval}.
 *
 * <p>Only the glitch tier's defaults live here: Exchange does not expose it in Set-TransportService.
 * The other values are the organization's {@code transportService} settings, whose record
 * (io.mailflow.organization.TransportService) holds Exchange's defaults; this module stays free of it, so
 * delivery builds the schedule from those settings ({@link #withExchangeGlitchRetries}).
 *
 * @param glitchRetryCount Exchange QueueGlitchRetryCount, fixed at 4
 * @param glitchRetryInterval Exchange QueueGlitchRetryInterval, fixed at 1 minute
 * @param transientFailureRetryCount Exchange TransientFailureRetryAttempts (default 6)
 * @param transientFailureRetryInterval Exchange TransientFailureRetryInterval (default 5 minutes)
 * @param messageRetryInterval Exchange MessageRetryInterval (default 15 minutes)
 * @param outboundConnectionFailureRetryInterval Exchange OutboundConnectionFailureRetryInterval
 *     (default 10 minutes): how long a queue whose next hop cannot be reached waits before trying again
 * @param delayNotificationTimeout Exchange DelayNotificationTimeout (default 4 hours)
 * @param messageExpirationTimeout Exchange MessageExpirationTimeout (default 2 days)
 */
public record RetrySchedule(
    int glitchRetryCount,
    Duration glitchRetryInterval,
    int transientFailureRetryCount,
    Duration transientFailureRetryInterval,
    Duration messageRetryInterval,
    Duration outboundConnectionFailureRetryInterval,
    Duration delayNotificationTimeout,
    Duration messageExpirationTimeout) {

  /** Exchange's QueueGlitchRetryCount: 4 (an EdgeTransport.exe.config setting, not Set-TransportService). */
  public static final int DEFAULT_GLITCH_RETRY_COUNT = 4;
  /** Exchange's QueueGlitchRetryInterval: 1 minute (likewise not configurable here). */
  public static final Duration DEFAULT_GLITCH_RETRY_INTERVAL = Duration.ofMinutes(1);

  public RetrySchedule {
    requireNonNegative("glitchRetryCount", glitchRetryCount);
    requireNonNegative("transientFailureRetryCount", transientFailureRetryCount);
    requirePositive("glitchRetryInterval", glitchRetryInterval);
    requirePositive("transientFailureRetryInterval", transientFailureRetryInterval);
    requirePositive("messageRetryInterval", messageRetryInterval);
    requirePositive("outboundConnectionFailureRetryInterval", outboundConnectionFailureRetryInterval);
    requirePositive("delayNotificationTimeout", delayNotificationTimeout);
    requirePositive("messageExpirationTimeout", messageExpirationTimeout);
  }

  /**
   * Exchange's fixed glitch tier (4 retries at 1 minute) followed by the Set-TransportService settings given:
   * TransientFailureRetryAttempts, TransientFailureRetryInterval, MessageRetryInterval,
   * OutboundConnectionFailureRetryInterval, DelayNotificationTimeout and MessageExpirationTimeout.
   */
  public static RetrySchedule withExchangeGlitchRetries(int transientFailureRetryAttempts,
      Duration transientFailureRetryInterval, Duration messageRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration delayNotificationTimeout,
      Duration messageExpirationTimeout) {
    return new RetrySchedule(DEFAULT_GLITCH_RETRY_COUNT, DEFAULT_GLITCH_RETRY_INTERVAL, transientFailureRetryAttempts,
        transientFailureRetryInterval, messageRetryInterval, outboundConnectionFailureRetryInterval,
        delayNotificationTimeout, messageExpirationTimeout);
  }

  /**
   * This schedule's glitch tier with other Set-TransportService settings (tests shrink the glitch tier and
   * keep it while the settings come from an organization).
   */
  public RetrySchedule withTransportSettings(int transientFailureRetryAttempts,
      Duration transientFailureRetryInterval, Duration messageRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration delayNotificationTimeout,
      Duration messageExpirationTimeout) {
    return new RetrySchedule(glitchRetryCount, glitchRetryInterval, transientFailureRetryAttempts,
        transientFailureRetryInterval, messageRetryInterval, outboundConnectionFailureRetryInterval,
        delayNotificationTimeout, messageExpirationTimeout);
  }

  /** How long to wait before the next attempt, after {@code failedAttempts} (at least 1) failures. */
  public Duration delayAfter(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be at least 1, got " + failedAttempts);
    }
    if (failedAttempts <= glitchRetryCount) {
      return glitchRetryInterval;
    }
    if (failedAttempts <= glitchRetryCount + transientFailureRetryCount) {
      return transientFailureRetryInterval;
    }
    return messageRetryInterval;
  }

  /**
   * How long a queue whose next hop could not be reached waits before the next connection attempt,
   * after {@code consecutiveFailures} (at least 1) failed attempts in a row: the glitch and transient
   * tiers as for messages, then OutboundConnectionFailureRetryInterval.
   */
  public Duration queueRetryDelayAfter(int consecutiveFailures) {
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutiveFailures must be at least 1, got " + consecutiveFailures);
    }
    if (consecutiveFailures <= glitchRetryCount + transientFailureRetryCount) {
      return delayAfter(consecutiveFailures);
    }
    return outboundConnectionFailureRetryInterval;
  }

  /**
   * Exchange's reply for a message that expired in a queue, in its words: {@code 550 4.4.7 QUEUE.Expired; message
   * expired}, then the last error in Exchange's bracket, {@code [Message=<last reply>]}, as its NDRs show it.
   */
  public SmtpReply expiredReply(SmtpReply lastError) {
    // Exchange writes "550 4.4.7": a permanent reply whose status keeps the transient class, so the DSN
    // says Status 4.4.7 with Action failed. Our SmtpReply keeps class and code consistent, so the status
    // rides in the text.
    return SmtpReply.of(550, "", "4.4.7 QUEUE.Expired; message expired"
        + (lastError == null ? "" : " [Message=" + lastError + "]"));
  }

  /** When a message received at {@code receivedAt} expires (and is reported failed with 4.4.7). */
  public Instant expiresAt(Instant receivedAt) {
    return receivedAt.plus(messageExpirationTimeout);
  }

  /** True once the message has waited longer than the expiration timeout. */
  public boolean expired(Instant receivedAt, Instant now) {
    return !now.isBefore(expiresAt(receivedAt));
  }

  /** True once a still-undelivered message is due a delay DSN (if its NOTIFY asks for one). */
  public boolean delayNotificationDue(Instant receivedAt, Instant now) {
    return !now.isBefore(delayNotificationAt(receivedAt));
  }

  /** When a message received at {@code receivedAt} and still undelivered is due its delay DSN. */
  public Instant delayNotificationAt(Instant receivedAt) {
    return receivedAt.plus(delayNotificationTimeout);
  }

  private static void requireNonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
