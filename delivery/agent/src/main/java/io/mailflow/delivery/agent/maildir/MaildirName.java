package io.mailflow.delivery.agent.maildir;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MaildirName - unique file names for new messages, in the form Dovecot itself writes:
 * {@code <epoch-seconds>.M<microseconds>P<pid>Q<n>.<hostname>,S=<size>}.
 *
 * <p>Unique because no two deliveries share (second, microsecond, process, per-process counter,
 * host); {@code ,S=} is the file size, which Dovecot reads instead of calling stat(). The host name
 * has "/" and ":" escaped as {@code \057} and {@code \072}, as the Maildir convention asks.
 */
final class MaildirName {

  private static final AtomicLong DELIVERIES = new AtomicLong();
  private static final long PID = ProcessHandle.current().pid();

  private final String host;

  MaildirName(String hostName) {
    if (hostName == null || hostName.isBlank()) {
      throw new IllegalArgumentException("Maildir host name must not be blank");
    }
    this.host = escape(hostName.strip());
  }

  /** A fresh name for a message of {@code size} octets delivered at {@code now}. */
  String next(Instant now, long size) {
    return withSize(unsized(now), size);
  }

  /** A fresh name without its size: for a file in tmp/ whose size is known only once it is written. */
  String unsized(Instant now) {
    long micros = now.getNano() / 1_000;
    return now.getEpochSecond() + ".M" + micros + "P" + PID + "Q" + DELIVERIES.incrementAndGet() + "." + host;
  }

  /** {@code unsized} with its {@code ,S=<size>}. */
  static String withSize(String unsized, long size) {
    return unsized + ",S=" + size;
  }

  static String escape(String hostName) {
    StringBuilder sb = new StringBuilder(hostName.length());
    for (int i = 0; i < hostName.length(); i++) {
      char c = hostName.charAt(i);
      switch (c) {
        case '/' -> sb.append("\\057");
        case ':' -> sb.append("\\072");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
