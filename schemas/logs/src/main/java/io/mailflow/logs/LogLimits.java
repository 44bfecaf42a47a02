package io.mailflow.logs;

import java.time.Duration;

/**
 * LogLimits - how big and old one kind of log file may grow, as Exchange's *LogMaxFileSize, *LogMaxDirectorySize and
 * *LogMaxAge settings say.
 *
 * @param maxFileSize a file that would pass this many bytes is closed and the next one begun ({@code Long.MAX_VALUE}:
 *     one file per period)
 * @param maxDirectorySize the oldest files of a prefix go while that prefix's files together exceed this; as in
 *     Exchange, counted per prefix (MSGTRK and MSGTRKMD each get the limit)
 * @param maxAge files last written longer ago than this are deleted ({@code ZERO}: kept whatever their age)
 */
public record LogLimits(long maxFileSize, long maxDirectorySize, java.time.Duration maxAge) {
  public LogLimits {
    if (maxFileSize < 1 || maxDirectorySize < 1) {
      throw new IllegalArgumentException("log sizes must be at least 1 byte, got maxFileSize " + maxFileSize
          + ", maxDirectorySize " + maxDirectorySize);
    }
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("a log's maxAge must be 0 or more, got " + maxAge);
    }
  }

  /** Exchange's protocol log defaults: 10 MB files, 250 MB per directory, 30 days. */
  public static LogLimits protocolLogDefaults() {
    return new LogLimits(10L * 1024 * 1024, 250L * 1024 * 1024, Duration.ofDays(30));
  }
}
