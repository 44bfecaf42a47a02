package io.mailflow.logs;

import io.mailflow.schemas.avro.QueueState;
import io.mailflow.schemas.avro.TrackingEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * MessageTrackingLogFile - message tracking events as Exchange's message tracking log: mailbox delivery's events
 * (source STOREDRIVER: DELIVER, FAIL, DEFER at the mailbox store) in {@code MSGTRKMD<yyyyMMddHH>-<n>.LOG} as Exchange's
 * Mailbox Transport Delivery service writes them, every other event in {@code MSGTRK<yyyyMMddHH>-<n>.LOG} as the
 * Transport service does. There is no MSGTRKMS (no mailbox submits here) nor MSGTRKMA (no moderation).
 *
 * <p>Multi-value fields (recipient-address, recipient-status) are joined with ';' as Exchange does; a queue's state
 * (QUEUESTATE) goes into custom-data as Exchange's {@code S:name=value} pairs. tenant-id, original-client-ip and
 * original-server-ip are empty (not used on premises); transport-traffic-type is {@code Email}; log-id a fresh GUID.
 */
public final class MessageTrackingLogFile implements Consumer<TrackingEvent>, AutoCloseable {
  private final ExchangeLogWriter writer;

  public MessageTrackingLogFile(ExchangeLogWriter writer) {
    this.writer = writer;
  }

  /** The MSGTRK and MSGTRKMD files under {@code directory} with {@code limits}, on a writer thread of their own. */
  public static MessageTrackingLogFile start(Path directory, LogLimits limits) {
    return new MessageTrackingLogFile(ExchangeLogWriter.start("message-tracking-log", directory,
        List.of(ExchangeLogs.MSGTRK, ExchangeLogs.MSGTRKMD), limits));
  }

  @Override
  public void accept(TrackingEvent e) {
    writer.write(formatOf(e), e.getDateTime(), values(e));
  }

  /** MSGTRKMD for mailbox delivery (source STOREDRIVER), MSGTRK for the rest. */
  public static LogFormat formatOf(TrackingEvent e) {
    return "STOREDRIVER".equals(e.getSource()) ? ExchangeLogs.MSGTRKMD : ExchangeLogs.MSGTRK;
  }

  /** The line's values in Exchange's field order. */
  public static Object[] values(TrackingEvent e) {
    return new Object[] {LogFormat.dateTime(e.getDateTime()), e.getClientIp(), e.getClientHostname(), e.getServerIp(),
        e.getServerHostname(), e.getSourceContext(), e.getConnectorId(), e.getSource(), e.getEventId(),
        e.getInternalMessageId(), e.getMessageId(), e.getNetworkMessageId(), String.join(";", e.getRecipientAddress()),
        String.join(";", e.getRecipientStatus()), e.getTotalBytes(), e.getRecipientCount(),
        e.getRelatedRecipientAddress(), e.getReference(), e.getMessageSubject(), e.getSenderAddress(),
        e.getReturnPath(), e.getMessageInfo(), e.getDirectionality(), null, null, null, customData(e.getQueue()),
        "Email", logId(), LogFormat.VERSION};
  }

  /** A random (version 4) GUID per line, as Exchange's log-id; not secret, so not from SecureRandom. */
  private static String logId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }

  private static String customData(QueueState q) {
    if (q == null) {
      return null;
    }
    StringBuilder s = new StringBuilder("S:Identity=").append(q.getIdentity()).append(";S:Status=").append(q.getStatus())
        .append(";S:MessageCount=").append(q.getMessageCount());
    if (q.getDeliveryType() != null) {
      s.append(";S:DeliveryType=").append(q.getDeliveryType());
    }
    if (q.getNextHopDomain() != null) {
      s.append(";S:NextHopDomain=").append(q.getNextHopDomain());
    }
    if (q.getNextRetryTime() != null) {
      s.append(";S:NextRetryTime=").append(LogFormat.dateTime(q.getNextRetryTime()));
    }
    if (q.getLastError() != null) {
      s.append(";S:LastError=").append(q.getLastError());
    }
    return s.toString();
  }

  public ExchangeLogWriter writer() {
    return writer;
  }

  @Override
  public void close() {
    writer.close();
  }
}
