package io.mailflow.logs;

import io.mailflow.logs.LogFormat.Rollover;
import java.util.List;

/**
 * ExchangeLogs - the Exchange 2016/2019 log files mailflow writes, with Exchange's names, header lines and fields in
 * Exchange's order (protocol logs: learn.microsoft.com/exchange/mail-flow/connectors/protocol-logging; message
 * tracking: learn.microsoft.com/exchange/mail-flow/transport-logs/message-tracking).
 */
public final class ExchangeLogs {
  private ExchangeLogs() {}

  /** The protocol log's fields, the same for SmtpReceive and SmtpSend. */
  public static final List<String> PROTOCOL_FIELDS = List.of("date-time", "connector-id", "session-id",
      "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context");

  /** The message tracking log's fields (Exchange 2013 and later). */
  public static final List<String> MESSAGE_TRACKING_FIELDS = List.of("date-time", "client-ip", "client-hostname",
      "server-ip", "server-hostname", "source-context", "connector-id", "source", "event-id", "internal-message-id",
      "message-id", "network-message-id", "recipient-address", "recipient-status", "total-bytes", "recipient-count",
      "related-recipient-address", "reference", "message-subject", "sender-address", "return-path", "message-info",
      "directionality", "tenant-id", "original-client-ip", "original-server-ip", "custom-data",
      "transport-traffic-type", "log-id", "schema-version");

  /** Receive connectors' protocol log: {@code RECV<yyyyMMdd>-<n>.LOG}. */
  public static final LogFormat RECV = new LogFormat("RECV", Rollover.DAY, "SMTP Receive Protocol Log",
      PROTOCOL_FIELDS);
  /** Send connectors' protocol log: {@code SEND<yyyyMMdd>-<n>.LOG}. */
  public static final LogFormat SEND = new LogFormat("SEND", Rollover.DAY, "SMTP Send Protocol Log", PROTOCOL_FIELDS);
  /** The transport service's message tracking log: {@code MSGTRK<yyyyMMddHH>-<n>.LOG}. */
  public static final LogFormat MSGTRK = new LogFormat("MSGTRK", Rollover.HOUR, "Message Tracking Log",
      MESSAGE_TRACKING_FIELDS);
  /** Mailbox delivery's message tracking log (Mailbox Transport Delivery): {@code MSGTRKMD<yyyyMMddHH>-<n>.LOG}. */
  public static final LogFormat MSGTRKMD = new LogFormat("MSGTRKMD", Rollover.HOUR, "Message Tracking Log",
      MESSAGE_TRACKING_FIELDS);
}
