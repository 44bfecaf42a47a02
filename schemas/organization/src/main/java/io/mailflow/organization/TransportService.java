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
 */
public record TransportService(Path receiveProtocolLogPath, long receiveProtocolLogMaxFileSize,
    long receiveProtocolLogMaxDirectorySize, Duration receiveProtocolLogMaxAge) {
  /** Exchange 2019's ReceiveProtocolLogMaxFileSize: 10 MB. */
  public static final long DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE = 10L * 1024 * 1024;
  /** Exchange 2019's ReceiveProtocolLogMaxDirectorySize: 250 MB. */
  public static final long DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE = 250L * 1024 * 1024;
  /** Exchange 2019's ReceiveProtocolLogMaxAge: 30.00:00:00. */
  public static final Duration DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE = Duration.ofDays(30);

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
  }

  public static TransportService defaults() {
    return new TransportService(null, DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE,
        DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE, DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE);
  }

  /** The protocol log directory of a node whose data directory is {@code dataDir}. */
  public Path receiveProtocolLogDirectory(Path dataDir) {
    Path fallback = dataDir.resolve("logs").resolve("ProtocolLog").resolve("SmtpReceive");
    return receiveProtocolLogPath == null ? fallback : dataDir.resolve(receiveProtocolLogPath);
  }
}
