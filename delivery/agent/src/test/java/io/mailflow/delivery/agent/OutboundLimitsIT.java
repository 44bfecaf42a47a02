package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The organization's transportService outbound limits reach the stage ({@code Options.withTransportService}):
 * smtpMaxMessagesPerConnection ends a connection after that many messages, maxPerDomainOutboundConnections
 * keeps the sessions to one smart host to that many (maxOutboundConnections: DestinationLimiterTest).
 */
class OutboundLimitsIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  @Test
  void smtpMaxMessagesPerConnectionFromTheConfigEndsEachConnectionAfterTwoMessages() throws Exception {
    try (DeliveryRig rig = new DeliveryRig("outbound-limits-it")) {
      ScriptedSmtpServer smartHost = rig.smartHost(new ScriptedSmtpServer.Script());
      TransportService service = new TransportService(null, TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE,
          TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE,
          TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE, 1000, 1, 2, Duration.ofHours(4));
      rig.start(DeliveryRig.organization(DeliveryRig.connector("Limited", "limits.test", smartHost)),
          dataDir.resolve("mailstore"), FastRetries.options().withTransportService(service));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String nmid = UUID.randomUUID().toString();
        ids.add(nmid);
        rig.publish("SmartHostConnectorDelivery:limits.test", item(nmid, "alice@contoso.test",
            DeliveryType.SmartHostConnectorDelivery, "Limited", Instant.now(), external("r" + i + "@limits.test", null)));
      }
      for (String nmid : ids) {
        rig.tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals("SEND"), 1, WAIT);
      }
      assertEquals(4, smartHost.commandsStartingWith("MAIL").size());
      assertEquals(2, smartHost.connections(), "4 messages, 2 per connection");
      // maxPerDomainOutboundConnections 1: one session at a time, but a connection saying QUIT after its
      // second message may still be closing while the next one opens, so at most 2 sockets were ever open
      assertEquals(true, smartHost.mostOpenAtOnce() <= 2, "at most " + smartHost.mostOpenAtOnce() + " open");
    }
  }
}
