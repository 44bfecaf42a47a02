package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.ReportedItems.external;
import static io.mailflow.delivery.agent.ReportedItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.organization.AcceptedDomain;
import io.mailflow.organization.KafkaTopics;
import io.mailflow.organization.Organization;
import io.mailflow.organization.SendConnector;
import io.mailflow.organization.SendConnector.SmartHost;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
    String bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    Vertx vertx = Vertx.vertx();
    try (ScriptedSmtpServer smartHost = ScriptedSmtpServer.start(vertx, new ScriptedSmtpServer.Script());
        TopicTail<TrackingEvent> tracking = new TopicTail<>(bootstrap, Topics.TRACKING);
        TopicPublisher publisher = TopicPublisher.create(bootstrap, "outbound-limits-it")) {
      Organization org = new Organization("EX01", "Default-Site", KafkaTopics.defaults(),
          List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)), List.of(),
          List.of(new SendConnector("Limited", List.of(new SendConnector.AddressSpace("limits.test", 1)),
              List.of(new SmartHost("127.0.0.1", smartHost.port())), smartHost.port(),
              SendConnector.DEFAULT_MAX_MESSAGE_SIZE, List.of(), "")),
          List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);
      TransportService service = new TransportService(null, TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_FILE_SIZE,
          TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_DIRECTORY_SIZE,
          TransportService.DEFAULT_RECEIVE_PROTOCOL_LOG_MAX_AGE, 1000, 1, 2, Duration.ofHours(4));
      DeliveryStage stage = DeliveryStage.start(vertx, bootstrap, org, dataDir.resolve("mailstore"),
          FastRetries.options().withTransportService(service));
      try {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String nmid = UUID.randomUUID().toString();
          ids.add(nmid);
          publisher.send(Topics.DELIVERY, "SmartHostConnectorDelivery:limits.test", item(nmid, "alice@contoso.test",
              DeliveryType.SmartHostConnectorDelivery, "Limited", Instant.now(),
              external("r" + i + "@limits.test", null))).get(30, TimeUnit.SECONDS);
        }
        for (String nmid : ids) {
          tracking.await(e -> e.getNetworkMessageId().equals(nmid) && e.getEventId().equals("SEND"), 1, WAIT);
        }
        assertEquals(4, smartHost.commandsStartingWith("MAIL").size());
        assertEquals(2, smartHost.connections(), "4 messages, 2 per connection");
        // maxPerDomainOutboundConnections 1: one session at a time, but a connection saying QUIT after its
        // second message may still be closing while the next one opens, so at most 2 sockets were ever open
        assertEquals(true, smartHost.mostOpenAtOnce() <= 2, "at most " + smartHost.mostOpenAtOnce() + " open");
      } finally {
        stage.close();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
