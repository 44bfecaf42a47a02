package io.mailflow.edge.server;

import io.mailflow.schemas.avro.ProtocolEvent;
import io.mailflow.smtp.SmtpReply;
import java.time.Clock;

/**
 * ProtocolLog - one session's protocol-log lines in Exchange's fields: {@code +} connect,
 * {@code -} disconnect, {@code >} sent, {@code <} received, {@code *} information. Each line of a
 * multi-line reply is its own event, as in Exchange's logs. Credentials never reach it: the engine
 * reports AUTH lines redacted. With the connector's protocolLoggingLevel None (Exchange's default)
 * nothing is written.
 */
final class ProtocolLog {
  private final boolean enabled;
  private final EdgeEvents events;
  private final Clock clock;
  private final String connectorId;
  private final String sessionId;
  private final String localEndpoint;
  private final String remoteEndpoint;
  private long sequence;

  ProtocolLog(boolean enabled, EdgeEvents events, Clock clock, String connectorId, String sessionId,
      String localEndpoint, String remoteEndpoint) {
    this.enabled = enabled;
    this.events = events;
    this.clock = clock;
    this.connectorId = connectorId;
    this.sessionId = sessionId;
    this.localEndpoint = localEndpoint;
    this.remoteEndpoint = remoteEndpoint;
  }

  void connected() {
    emit("+", null, null);
  }

  void received(String line) {
    emit("<", line, null);
  }

  void sent(SmtpReply reply) {
    for (String line : reply.toWireLines()) {
      emit(">", line, null);
    }
  }

  void info(String data, String context) {
    emit("*", data, context);
  }

  /** @param context Exchange's words: "Local" when the server closed, "Remote" when the client did */
  void disconnected(String context) {
    emit("-", null, context);
  }

  private void emit(String event, String data, String context) {
    if (!enabled) {
      return;
    }
    events.protocol(ProtocolEvent.newBuilder()
        .setDateTime(clock.instant())
        .setConnectorId(connectorId)
        .setSessionId(sessionId)
        .setSequenceNumber(sequence++)
        .setLocalEndpoint(localEndpoint)
        .setRemoteEndpoint(remoteEndpoint)
        .setEvent(event)
        .setData(data)
        .setContext(context)
        .build());
  }
}
