package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.smtp.SendProtocolLog;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.ProtocolEvent;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * SendProtocolLogs - which outbound sessions go to the send protocol log, as Exchange decides it: a send connector's
 * when its protocolLoggingLevel is Verbose; the implicit intra-organization connector's (relay to another server of
 * the organization, LMTP to a mailbox database) when transportService intraOrgConnectorProtocolLoggingLevel is
 * Verbose. Every other session logs nothing ({@link SendProtocolLog#NONE}).
 */
final class SendProtocolLogs {
  /** Nothing is logged (tests, and a stage without a protocol sink). */
  static final SendProtocolLogs NONE = new SendProtocolLogs(null, null, Clock.systemUTC());

  private final Organization organization;
  private final Consumer<ProtocolEvent> sink;
  private final Clock clock;
  private final Map<String, SendProtocolLog> logs = new ConcurrentHashMap<>();

  /** @param sink where the events go (the stage's TopicPublisher to mail.protocol.v1); must not block */
  SendProtocolLogs(Organization organization, Consumer<ProtocolEvent> sink, Clock clock) {
    this.organization = organization;
    this.sink = sink;
    this.clock = clock;
  }

  /** The log of the connector named {@code connectorId} (one per connector, so clients can be keyed by it). */
  SendProtocolLog of(String connectorId) {
    if (sink == null || !logged(connectorId)) {
      return SendProtocolLog.NONE;
    }
    return logs.computeIfAbsent(connectorId, id -> new SendProtocolLog(id, sink, clock));
  }

  private boolean logged(String connectorId) {
    if (SiteRelay.CONNECTOR_ID.equals(connectorId)) {
      return organization.transportService().sendProtocolLog().intraOrgConnectorLogged();
    }
    for (SendConnector c : organization.sendConnectors()) {
      if (c.name().equals(connectorId)) {
        return c.protocolLogged();
      }
    }
    return false;
  }
}
