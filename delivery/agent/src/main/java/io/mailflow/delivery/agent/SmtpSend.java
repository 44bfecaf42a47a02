package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.OutboundMessage;
import io.mailflow.smtp.SmtpReply;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.schemas.avro.DeliveryItem;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * SmtpSend - one SMTP hand-over of a copy through a list of hosts, shared by the SMTP agents (send
 * connectors, site relay), and the queue state it leaves: a queue whose every host failed before taking
 * anything goes to Retry ({@link NextHopQueues}), and until then its copies are held without a
 * connection ({@link RetryHold} in front of the agents), so a dead destination costs one failed session per
 * retry interval, not one per message.
 */
final class SmtpSend {

  private final SmartHostRelay relay;
  private final NextHopQueues queues;
  private final Organization organization;
  private final Clock clock;

  private final SendProtocolLogs protocolLogs;

  SmtpSend(SmartHostRelay relay, NextHopQueues queues, Organization organization, Clock clock) {
    this(relay, queues, organization, clock, SendProtocolLogs.NONE);
  }

  /** @param protocolLogs which connectors' sessions go to the send protocol log */
  SmtpSend(SmartHostRelay relay, NextHopQueues queues, Organization organization, Clock clock,
      SendProtocolLogs protocolLogs) {
    this.protocolLogs = protocolLogs;
    this.relay = relay;
    this.queues = queues;
    this.organization = organization;
    this.clock = clock;
  }

  /**
   * {@code content} to the recipients of {@code item} through {@code hosts} in order, with the
   * smart-host failover rule; source-context gains the endpoints tried and the remote's last reply.
   *
   * @param connectorId the send connector whose STARTTLS/AUTH settings apply (tracking connector-id)
   */
  Future<Attempted> send(DeliveryItem item, MessageSource content, SourceContext context,
      List<SendConnector.SmartHost> hosts, String heloName, String connectorId) {
    // The bytes decide, not the BODY= the client declared: ASCII declared 8BITMIME still relays to a 7-bit host.
    OutboundMessage message = OutboundMessage.of(item.getEnvelope().getSender(), Attempted.addresses(item), content)
        .withDsn(DeliveryNotices.passOn(item));
    String queue = context.nextHop();
    return relay.relay(hosts, heloName, SmartHostRelay.security(organization, connectorId),
        protocolLogs.of(connectorId), message).map(relayed -> {
      if (relayed.result().tryAnotherHost()) {
        // every host failed before taking anything: the queue waits, its other copies with it
        queues.connectionFailed(queue, clock.instant(), relayed.result().outcomes().get(0).reply());
      } else {
        queues.connected(queue);
      }
      String endpoint = relayed.result().endpoint();
      String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
      SourceContext done = context.with("tried " + String.join(", ", relayed.endpointsTried()));
      Optional<SmtpReply> last = relayed.result().finalReply();
      if (last.isPresent()) {
        done = done.with("remote said " + last.get());
      }
      return Attempted.of(DeliveryTracking.SMTP, connectorId, host, done, relayed.result().outcomes())
          .withDsnPassedOn(relayed.result().capabilities().dsn());
    });
  }
}
