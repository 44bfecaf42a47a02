package io.mailflow.organization;

import java.nio.file.Path;
import java.time.Duration;

/**
 * SendProtocolLogSettings - where the send protocol log ({@code SEND<yyyyMMdd>-N.LOG}, outbound SMTP and LMTP
 * sessions of send connectors whose protocolLoggingLevel is Verbose) goes and how big and old it may grow, as
 * Exchange's Set-TransportService SendProtocolLog* settings.
 *
 * @param path directory of the files; null means the node's default ({@code <data-dir>/logs/ProtocolLog/SmtpSend});
 *     a relative path is taken from the data directory (Exchange SendProtocolLogPath)
 * @param maxAge files last written longer ago than this are deleted (Exchange SendProtocolLogMaxAge, 30 days;
 *     {@code ZERO}: kept whatever their age)
 * @param maxDirectorySize the oldest files are deleted while the directory's files together exceed this (Exchange
 *     SendProtocolLogMaxDirectorySize, 250 MB; {@code Long.MAX_VALUE}: unlimited)
 * @param maxFileSize a file that reaches this many bytes is closed and the next one begun (Exchange
 *     SendProtocolLogMaxFileSize, 10 MB; {@code Long.MAX_VALUE}: unlimited, one file per day)
 * @param intraOrgConnectorProtocolLoggingLevel Verbose: the implicit intra-organization send connector's sessions
 *     (relay to another server of the organization, LMTP to mailbox databases) are logged too (Exchange
 *     IntraOrgConnectorProtocolLoggingLevel, None)
 */
public record SendProtocolLogSettings(Path path, Duration maxAge, long maxDirectorySize, long maxFileSize,
    ReceiveConnector.ProtocolLoggingLevel intraOrgConnectorProtocolLoggingLevel) {
  /** Exchange 2016/2019's SendProtocolLogMaxAge: 30.00:00:00. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
  /** Exchange 2016/2019's SendProtocolLogMaxDirectorySize: 250 MB. */
  public static final long DEFAULT_MAX_DIRECTORY_SIZE = 250L * 1024 * 1024;
  /** Exchange 2016/2019's SendProtocolLogMaxFileSize: 10 MB. */
  public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1024 * 1024;

  /** Exchange 2016/2019's IntraOrgConnectorProtocolLoggingLevel: None. */
  public static final ReceiveConnector.ProtocolLoggingLevel DEFAULT_INTRA_ORG_CONNECTOR_PROTOCOL_LOGGING_LEVEL =
      ReceiveConnector.ProtocolLoggingLevel.None;

  /** With the intra-organization connector's default, None. */
  public SendProtocolLogSettings(Path path, Duration maxAge, long maxDirectorySize, long maxFileSize) {
    this(path, maxAge, maxDirectorySize, maxFileSize, DEFAULT_INTRA_ORG_CONNECTOR_PROTOCOL_LOGGING_LEVEL);
  }

  public SendProtocolLogSettings {
    if (intraOrgConnectorProtocolLoggingLevel == null) {
      intraOrgConnectorProtocolLoggingLevel = DEFAULT_INTRA_ORG_CONNECTOR_PROTOCOL_LOGGING_LEVEL;
    }
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("transportService: sendProtocolLogMaxAge must be 0 or more, got " + maxAge);
    }
    if (maxDirectorySize < 1 || maxFileSize < 1) {
      throw new IllegalArgumentException("transportService: send protocol log sizes must be at least 1 byte, got "
          + "sendProtocolLogMaxDirectorySize " + maxDirectorySize + ", sendProtocolLogMaxFileSize " + maxFileSize);
    }
  }

  /** Exchange's defaults: 30 days, 250 MB, 10 MB files under the node's default path. */
  public static SendProtocolLogSettings defaults() {
    return new SendProtocolLogSettings(null, DEFAULT_MAX_AGE, DEFAULT_MAX_DIRECTORY_SIZE, DEFAULT_MAX_FILE_SIZE);
  }

  /** True when the intra-organization connector's sessions are logged (IntraOrgConnectorProtocolLoggingLevel Verbose). */
  public boolean intraOrgConnectorLogged() {
    return intraOrgConnectorProtocolLoggingLevel == ReceiveConnector.ProtocolLoggingLevel.Verbose;
  }

  /** The SEND log directory of a node whose data directory is {@code dataDir}. */
  public Path directory(Path dataDir) {
    return path == null ? dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpSend") : dataDir.resolve(path);
  }
}
