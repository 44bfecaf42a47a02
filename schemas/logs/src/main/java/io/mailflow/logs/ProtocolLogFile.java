package io.mailflow.logs;

import io.mailflow.schemas.avro.ProtocolEvent;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * ProtocolLogFile - protocol events as one of Exchange's protocol log files ({@link ExchangeLogs#RECV} or
 * {@link ExchangeLogs#SEND}), one line per event, through an {@link ExchangeLogWriter} (never blocks the caller;
 * a full queue drops and counts).
 */
public final class ProtocolLogFile implements Consumer<ProtocolEvent>, AutoCloseable {
  private final LogFormat format;
  private final ExchangeLogWriter writer;

  public ProtocolLogFile(LogFormat format, ExchangeLogWriter writer) {
    if (!format.fields().equals(ExchangeLogs.PROTOCOL_FIELDS)) {
      throw new IllegalArgumentException(format.prefix() + " is not a protocol log format");
    }
    this.format = format;
    this.writer = writer;
  }

  /** A protocol log of {@code format} under {@code directory} with {@code limits}, on a writer thread of its own. */
  public static ProtocolLogFile start(LogFormat format, Path directory, LogLimits limits) {
    return new ProtocolLogFile(format,
        ExchangeLogWriter.start("protocol-log-" + format.prefix().toLowerCase(java.util.Locale.ROOT), directory,
            java.util.List.of(format), limits));
  }

  @Override
  public void accept(ProtocolEvent e) {
    writer.write(format, e.getDateTime(), values(e));
  }

  /** The line's values in Exchange's field order. */
  public static Object[] values(ProtocolEvent e) {
    return new Object[] {LogFormat.dateTime(e.getDateTime()), e.getConnectorId(), e.getSessionId(),
        e.getSequenceNumber(), e.getLocalEndpoint(), e.getRemoteEndpoint(), e.getEvent(), e.getData(), e.getContext()};
  }

  public ExchangeLogWriter writer() {
    return writer;
  }

  @Override
  public void close() {
    writer.close();
  }
}
