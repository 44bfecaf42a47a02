package io.mailflow.organization;

import java.nio.file.Path;
import java.time.Duration;

/**
 * TransportService - this node's transport-service settings (Exchange {@code Set-TransportService} /
 * {@code Set-FrontendTransportService}): where the receive protocol log goes and how big and old it may grow.
 *
 * @param receiveProtocolLogPath directory of the CSV receive protocol logs; null means the node's default
 *     ({@code <data-dir>/logs/ProtocolLog/SmtpReceive}); a relative path is taken from the data directory
 * @param receiveProtocolLogMaxFileSize a file that reaches this many bytes is closed and the next one begun
 *     ({@code Long.MAX_VALUE}: unlimited, one file per day)
 * @param receiveProtocolLogMaxDirectorySize the oldest log files are deleted while the directory's log files
 *     together exceed this ({@code Long.MAX_VALUE}: unlimited)
 * @param receiveProtocolLogMaxAge log files last written longer ago than this are deleted ({@code ZERO}: kept
 *     whatever their age, as Exchange's 00:00:00)
 * @param maxOutboundConnections SMTP connections delivery has open at once, all destinations together
 *     (Exchange MaxOutboundConnections, 1000; {@code Integer.MAX_VALUE}: unlimited)
 * @param maxPerDomainOutboundConnections SMTP connections to one destination host at once (Exchange
 *     MaxPerDomainOutboundConnections, 20; {@code Integer.MAX_VALUE}: unlimited)
 * @param smtpMaxMessagesPerConnection messages sent over one connection before it is closed and a new one
 *     opened (Exchange SmtpMaxMessagesPerConnection, 20)
 * @param delayNotificationTimeout how long a message waits undelivered before its sender gets a delay DSN
 *     (Exchange DelayNotificationTimeout, 4 hours)
 * @param transientFailureRetryAttempts retries at {@code transientFailureRetryInterval} after Exchange's fixed
 *     glitch retries (4 at 1 minute, not configurable in Exchange either) before the message retry interval
 *     takes over (Exchange TransientFailureRetryAttempts, 6, 0-15)
 * @param transientFailureRetryInterval the wait between those retries (Exchange TransientFailureRetryInterval,
 *     5 minutes)
 * @param outboundConnectionFailureRetryInterval how long a queue whose next hop cannot be reached waits after
 *     the glitch and transient retries (Exchange OutboundConnectionFailureRetryInterval, 10 minutes)
 * @param messageRetryInterval the wait between later retries of a message (Exchange MessageRetryInterval,
 *     15 minutes)
 * @param messageExpirationTimeout how long a message may stay undelivered before it fails with 4.4.7
 *     (Exchange MessageExpirationTimeout, 2 days)
 * @param backPressure when the edge refuses new mail to protect the node (Exchange's back pressure); null means
 *     Exchange's defaults
 * @param messageTracking message tracking on or off, its files' place, sizes and age, subject logging (Exchange's
 *     MessageTrackingLog* settings); null means Exchange's defaults
 * @param sendProtocolLog the send protocol log's place, sizes and age (Exchange's SendProtocolLog* settings); null
 *     means Exchange's defaults
 * @param eventStreams how tracking and protocol events are encoded on their topics; null means JSON for both
 * @param flushToDiskBeforeAcknowledge with the embedded broker of {@code mailflow run} (no replica), answer 250 only
 *     once the message is on disk, and commit a stage's input only once its output is (group commit: sessions and
 *     stages share flushes), as Postfix fsyncs its queue file before 250 (true; false for a cluster whose
 *     replication makes an acknowledged record durable; role processes flush only a single-node broker of their
 *     machine given by {@code --broker-data-dir}, and this turns that off too)
 * @param inlineBodyLimit octets of a message (the edge's trace header included) that ride inline in the queue
 *     records; past it the edge writes the body once to mail.bodies.v1 while it arrives, and the records of
 *     mail.submission.v1, mail.categorized.v1 and mail.delivery.v1 carry its header section and a reference that
 *     delivery resolves, instead of each carrying (and flushing) a copy ({@link #DEFAULT_INLINE_BODY_LIMIT})
 */
public record TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
    long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
    int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout,
    int transientFailureRetryAttempts, Duration transientFailureRetryInterval,
    Duration outboundConnectionFailureRetryInterval, Duration messageRetryInterval,
    Duration messageExpirationTimeout, int poisonThreshold, BackPressureSettings backPressure,
    MessageTrackingLogSettings messageTracking, SendProtocolLogSettings sendProtocolLog,
    EventStreamSettings eventStreams, boolean flushToDiskBeforeAcknowledge, long inlineBodyLimit) {
  /**
   * Bodies larger than this travel by reference (issue 13): 16 KB. Smaller ones cost less inline than a write
   * and a read of mail.bodies.v1; larger ones would be copied, Avro-encoded and flushed at every hop.
   */
  public static final long DEFAULT_INLINE_BODY_LIMIT = 16L * 1024;
  /** The least inline body limit: the header section stays inline and must end within it. */
  public static final long MIN_INLINE_BODY_LIMIT = 1024;
  /** The largest inline body limit: a record must fit in the topics' 64 MB max.message.bytes. */
  public static final long MAX_INLINE_BODY_LIMIT = 32L * 1024 * 1024;
  /** Exchange 2019's ReceiveProtocolLogMaxFileSize: 10 MB. */
  public static final long DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE = 10L * 1024 * 1024;
  /** Exchange 2019's ReceiveProtocolLogMaxDirectorySize: 250 MB. */
  public static final long DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE = 250L * 1024 * 1024;
  /** Exchange 2019's ReceiveProtocolLogMaxAge: 30.00:00:00. */
  public static final Duration DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE = Duration.ofDays(30);
  /** Exchange 2019's MaxOutboundConnections: 1000. */
  public static final int DEFAULT_MAX_OUTBOUND_CONNECTIONS = 1000;
  /** Exchange 2019's MaxPerDomainOutboundConnections: 20. */
  public static final int DEFAULT_MAX_PER_DOMAIN_OUTBOUND_CONNECTIONS = 20;
  /** Exchange 2019's SmtpMaxMessagesPerConnection: 20. */
  public static final int DEFAULT_SMTP_MAX_MESSAGES_PER_CONNECTION = 20;
  /** Exchange 2019's DelayNotificationTimeout: 04:00:00. */
  public static final Duration DEFAULT_DELAY_NOTIFICATION_TIMEOUT = Duration.ofHours(4);
  /** Exchange 2019's TransientFailureRetryAttempts: 6. */
  public static final int DEFAULT_TRANSIENT_FAILURE_RETRY_ATTEMPTS = 6;
  /** Exchange 2019's TransientFailureRetryInterval: 00:05:00. */
  public static final Duration DEFAULT_TRANSIENT_FAILURE_RETRY_INTERVAL = Duration.ofMinutes(5);
  /** Exchange 2019's OutboundConnectionFailureRetryInterval on a Mailbox server: 00:10:00. */
  public static final Duration DEFAULT_OUTBOUND_CONNECTION_FAILURE_RETRY_INTERVAL = Duration.ofMinutes(10);
  /** Exchange 2019's MessageRetryInterval: 00:15:00. */
  public static final Duration DEFAULT_MESSAGE_RETRY_INTERVAL = Duration.ofMinutes(15);
  /** Exchange 2019's MessageExpirationTimeout: 2.00:00:00. */
  public static final Duration DEFAULT_MESSAGE_EXPIRATION_TIMEOUT = Duration.ofDays(2);
  /**
   * Exchange's poison message threshold (PoisonThreshold in EdgeTransport.exe.config): a message whose
   * processing failed this often is put aside (here: parked on mail.poison.v1) instead of tried again.
   */
  public static final int DEFAULT_POISON_THRESHOLD = 2;

  public TransportService {
    if (receiveProtocolLogMaxFileSize < 1 || receiveProtocolLogMaxDirectorySize < 1) {
      throw new IllegalArgumentException("transportService: protocol log sizes must be at least 1 byte, got "
          + "receiveProtocolLogMaxFileSize " + receiveProtocolLogMaxFileSize + ", receiveProtocolLogMaxDirectorySize "
          + receiveProtocolLogMaxDirectorySize);
    }
    if (receiveProtocolLogMaxAge == null || receiveProtocolLogMaxAge.isNegative()) {
      throw new IllegalArgumentException("transportService: receiveProtocolLogMaxAge must be 0 or more, got "
          + receiveProtocolLogMaxAge);
    }
    if (maxOutboundConnections < 1 || maxPerDomainOutboundConnections < 1 || smtpMaxMessagesPerConnection < 1) {
      throw new IllegalArgumentException("transportService: outbound limits must be at least 1, got "
          + "maxOutboundConnections " + maxOutboundConnections + ", maxPerDomainOutboundConnections "
          + maxPerDomainOutboundConnections + ", smtpMaxMessagesPerConnection " + smtpMaxMessagesPerConnection);
    }
    if (delayNotificationTimeout == null || delayNotificationTimeout.isNegative() || delayNotificationTimeout.isZero()) {
      throw new IllegalArgumentException("transportService: delayNotificationTimeout must be positive, got "
          + delayNotificationTimeout);
    }
    if (transientFailureRetryAttempts < 0) {
      throw new IllegalArgumentException("transportService: transientFailureRetryAttempts must not be negative, got "
          + transientFailureRetryAttempts);
    }
    requirePositive("transientFailureRetryInterval", transientFailureRetryInterval);
    requirePositive("outboundConnectionFailureRetryInterval", outboundConnectionFailureRetryInterval);
    requirePositive("messageRetryInterval", messageRetryInterval);
    requirePositive("messageExpirationTimeout", messageExpirationTimeout);
    if (poisonThreshold < 1) {
      throw new IllegalArgumentException("transportService: poisonThreshold must be at least 1, got " + poisonThreshold);
    }
    if (backPressure == null) {
      backPressure = BackPressureSettings.defaults();
    }
    if (messageTracking == null) {
      messageTracking = MessageTrackingLogSettings.defaults();
    }
    if (sendProtocolLog == null) {
      sendProtocolLog = SendProtocolLogSettings.defaults();
    }
    if (eventStreams == null) {
      eventStreams = EventStreamSettings.defaults();
    }
    if (inlineBodyLimit < MIN_INLINE_BODY_LIMIT || inlineBodyLimit > MAX_INLINE_BODY_LIMIT) {
      throw new IllegalArgumentException("transportService: inlineBodyLimit must be " + MIN_INLINE_BODY_LIMIT + " to "
          + MAX_INLINE_BODY_LIMIT + " bytes, got " + inlineBodyLimit);
    }
  }

  /** Every setting but the inline body limit given; {@link #DEFAULT_INLINE_BODY_LIMIT}. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
      int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout,
      int transientFailureRetryAttempts, Duration transientFailureRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration messageRetryInterval,
      Duration messageExpirationTimeout, int poisonThreshold, BackPressureSettings backPressure,
      MessageTrackingLogSettings messageTracking, SendProtocolLogSettings sendProtocolLog,
      EventStreamSettings eventStreams, boolean flushToDiskBeforeAcknowledge) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, maxOutboundConnections, maxPerDomainOutboundConnections,
        smtpMaxMessagesPerConnection, delayNotificationTimeout, transientFailureRetryAttempts,
        transientFailureRetryInterval, outboundConnectionFailureRetryInterval, messageRetryInterval,
        messageExpirationTimeout, poisonThreshold, backPressure, messageTracking, sendProtocolLog, eventStreams,
        flushToDiskBeforeAcknowledge, DEFAULT_INLINE_BODY_LIMIT);
  }

  /** Everything up to back pressure given; Exchange's tracking and send-log defaults, JSON event streams. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
      int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout,
      int transientFailureRetryAttempts, Duration transientFailureRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration messageRetryInterval,
      Duration messageExpirationTimeout, int poisonThreshold, BackPressureSettings backPressure) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, maxOutboundConnections, maxPerDomainOutboundConnections,
        smtpMaxMessagesPerConnection, delayNotificationTimeout, transientFailureRetryAttempts,
        transientFailureRetryInterval, outboundConnectionFailureRetryInterval, messageRetryInterval,
        messageExpirationTimeout, poisonThreshold, backPressure, null, null, null, true);
  }

  /** Everything but back pressure given; Exchange's back pressure defaults. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
      int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout,
      int transientFailureRetryAttempts, Duration transientFailureRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration messageRetryInterval,
      Duration messageExpirationTimeout, int poisonThreshold) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, maxOutboundConnections, maxPerDomainOutboundConnections,
        smtpMaxMessagesPerConnection, delayNotificationTimeout, transientFailureRetryAttempts,
        transientFailureRetryInterval, outboundConnectionFailureRetryInterval, messageRetryInterval,
        messageExpirationTimeout, poisonThreshold, null);
  }

  /** The retry schedule and expiration given, Exchange's poison threshold. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
      int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout,
      int transientFailureRetryAttempts, Duration transientFailureRetryInterval,
      Duration outboundConnectionFailureRetryInterval, Duration messageRetryInterval,
      Duration messageExpirationTimeout) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, maxOutboundConnections, maxPerDomainOutboundConnections,
        smtpMaxMessagesPerConnection, delayNotificationTimeout, transientFailureRetryAttempts,
        transientFailureRetryInterval, outboundConnectionFailureRetryInterval, messageRetryInterval,
        messageExpirationTimeout, DEFAULT_POISON_THRESHOLD);
  }

  /** Outbound limits and the delay DSN timeout with Exchange's retry schedule and message expiration. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge, int maxOutboundConnections,
      int maxPerDomainOutboundConnections, int smtpMaxMessagesPerConnection, Duration delayNotificationTimeout) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, maxOutboundConnections, maxPerDomainOutboundConnections,
        smtpMaxMessagesPerConnection, delayNotificationTimeout, DEFAULT_TRANSIENT_FAILURE_RETRY_ATTEMPTS,
        DEFAULT_TRANSIENT_FAILURE_RETRY_INTERVAL, DEFAULT_OUTBOUND_CONNECTION_FAILURE_RETRY_INTERVAL,
        DEFAULT_MESSAGE_RETRY_INTERVAL, DEFAULT_MESSAGE_EXPIRATION_TIMEOUT);
  }

  /** Protocol-log settings with Exchange's outbound limits and delay notification timeout. */
  public TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
      long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge) {
    this(receiveProtocolLogPath, receiveProtocolLogMaxFileSize, receiveProtocolLogMaxDirectorySize,
        receiveProtocolLogMaxAge, DEFAULT_MAX_OUTBOUND_CONNECTIONS, DEFAULT_MAX_PER_DOMAIN_OUTBOUND_CONNECTIONS,
        DEFAULT_SMTP_MAX_MESSAGES_PER_CONNECTION, DEFAULT_DELAY_NOTIFICATION_TIMEOUT);
  }

  public static TransportService defaults() {
    return new TransportService(null, DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE,
        DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE, DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE);
  }

  /**
   * The same settings with another retry schedule and expiration (TransientFailureRetryAttempts,
   * TransientFailureRetryInterval, OutboundConnectionFailureRetryInterval, MessageRetryInterval,
   * MessageExpirationTimeout).
   */
  public TransportService withRetry(int transientAttempts, Duration transientInterval,
      Duration outboundConnectionFailureInterval, Duration messageRetry, Duration messageExpiration) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout, transientAttempts,
        transientInterval, outboundConnectionFailureInterval, messageRetry, messageExpiration, poisonThreshold,
        backPressure, messageTracking, sendProtocolLog, eventStreams, flushToDiskBeforeAcknowledge, inlineBodyLimit);
  }

  /** The same settings with other back pressure settings. */
  public TransportService withBackPressure(BackPressureSettings settings) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, settings, messageTracking, sendProtocolLog,
        eventStreams, flushToDiskBeforeAcknowledge, inlineBodyLimit);
  }

  /** The same settings with other message tracking settings. */
  public TransportService withMessageTracking(MessageTrackingLogSettings settings) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, backPressure, settings, sendProtocolLog,
        eventStreams, flushToDiskBeforeAcknowledge, inlineBodyLimit);
  }

  /** The same settings with other send protocol log settings. */
  public TransportService withSendProtocolLog(SendProtocolLogSettings settings) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, backPressure, messageTracking, settings,
        eventStreams, flushToDiskBeforeAcknowledge, inlineBodyLimit);
  }

  /** The same settings with other event stream encodings. */
  public TransportService withEventStreams(EventStreamSettings settings) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, backPressure, messageTracking,
        sendProtocolLog, settings, flushToDiskBeforeAcknowledge, inlineBodyLimit);
  }

  /** The same settings with another inline body limit: larger bodies travel by reference. */
  public TransportService withInlineBodyLimit(long limit) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, backPressure, messageTracking,
        sendProtocolLog, eventStreams, flushToDiskBeforeAcknowledge, limit);
  }

  /** The same settings, flushing to disk before acknowledging or not. */
  public TransportService withFlushToDiskBeforeAcknowledge(boolean flush) {
    return new TransportService(receiveProtocolLogPath, receiveProtocolLogMaxFileSize,
        receiveProtocolLogMaxDirectorySize, receiveProtocolLogMaxAge, maxOutboundConnections,
        maxPerDomainOutboundConnections, smtpMaxMessagesPerConnection, delayNotificationTimeout,
        transientFailureRetryAttempts, transientFailureRetryInterval, outboundConnectionFailureRetryInterval,
        messageRetryInterval, messageExpirationTimeout, poisonThreshold, backPressure, messageTracking,
        sendProtocolLog, eventStreams, flush, inlineBodyLimit);
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("transportService: " + name + " must be positive, got " + value);
    }
  }

  /** The protocol log directory of a node whose data directory is {@code dataDir}. */
  public Path receiveProtocolLogDirectory(Path dataDir) {
    Path fallback = dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpReceive");
    return receiveProtocolLogPath == null ? fallback : dataDir.resolve(receiveProtocolLogPath);
  }
}
