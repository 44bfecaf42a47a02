package io.mailflow.organization;

import java.nio.file.Path;
import java.time.Duration;

/**
 * MessageTrackingLogSettings - message tracking as Exchange's Set-TransportService configures it: whether it is on,
 * where the {@code MSGTRK*.LOG} files go, how big and old they (and the tracking topic and index, which follow the
 * same limits) may grow, and whether subjects are recorded.
 *
 * @param enabled false stops tracking events being written anywhere (Exchange MessageTrackingLogEnabled, true)
 * @param path directory of the MSGTRK files; null means the node's default ({@code <data-dir>/logs/MessageTracking});
 *     a relative path is taken from the data directory (Exchange MessageTrackingLogPath)
 * @param maxAge files, topic records and index entries older than this are deleted (Exchange MessageTrackingLogMaxAge,
 *     30 days; {@code ZERO}: kept whatever their age, as Exchange's 00:00:00)
 * @param maxDirectorySize the oldest files are deleted while the directory's tracking files together exceed this
 *     (Exchange MessageTrackingLogMaxDirectorySize, 1000 MB; {@code Long.MAX_VALUE}: unlimited)
 * @param maxFileSize a file that reaches this many bytes is closed and the next one begun (Exchange
 *     MessageTrackingLogMaxFileSize, 10 MB; {@code Long.MAX_VALUE}: unlimited, one file per hour)
 * @param subjectLoggingEnabled false leaves message-subject empty in every event, file and search (Exchange
 *     MessageTrackingLogSubjectLoggingEnabled, true)
 */
public record MessageTrackingLogSettings(boolean enabled, Path path, Duration maxAge, long maxDirectorySize,
    long maxFileSize, boolean subjectLoggingEnabled) {
  /** Exchange 2016/2019's MessageTrackingLogMaxAge: 30.00:00:00. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
  /** Exchange 2016/2019's MessageTrackingLogMaxDirectorySize: 1000 MB. */
  public static final long DEFAULT_MAX_DIRECTORY_SIZE = 1000L * 1024 * 1024;
  /** Exchange 2016/2019's MessageTrackingLogMaxFileSize: 10 MB. */
  public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1024 * 1024;

  public MessageTrackingLogSettings {
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("transportService: messageTrackingLogMaxAge must be 0 or more, got " + maxAge);
    }
    if (maxDirectorySize < 1 || maxFileSize < 1) {
      throw new IllegalArgumentException("transportService: message tracking log sizes must be at least 1 byte, got "
          + "messageTrackingLogMaxDirectorySize " + maxDirectorySize + ", messageTrackingLogMaxFileSize " + maxFileSize);
    }
  }

  /** Exchange's defaults: on, 30 days, 1000 MB, 10 MB files, subjects recorded. */
  public static MessageTrackingLogSettings defaults() {
    return new MessageTrackingLogSettings(true, null, DEFAULT_MAX_AGE, DEFAULT_MAX_DIRECTORY_SIZE,
        DEFAULT_MAX_FILE_SIZE, true);
  }

  /** The MSGTRK directory of a node whose data directory is {@code dataDir}. */
  public Path directory(Path dataDir) {
    return path == null ? dataDir.resolve("logs").resolve("MessageTracking") : dataDir.resolve(path);
  }
}
