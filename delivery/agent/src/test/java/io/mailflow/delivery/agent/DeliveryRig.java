package io.mailflow.delivery.agent;

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
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.SubmittedMessage;
import io.mailflow.schemas.avro.TrackingEvent;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DeliveryRig - what a delivery integration test stands on: the shared embedded broker with mailflow's topics,
 * a Vert.x instance, scripted smart hosts, tails of mail.tracking.v1 and mail.submission.v1 (where DSNs go),
 * a publisher for mail.delivery.v1 and the stage itself; closed in the reverse order.
 */
final class DeliveryRig implements AutoCloseable {
  final String bootstrap = SharedKafka.bootstrapServers();
  final Vertx vertx;
  final TopicPublisher publisher;
  final TopicTail<TrackingEvent> tracking;
  final TopicTail<SubmittedMessage> submissions;
  private final List<ScriptedSmtpServer> servers = new ArrayList<>();
  private DeliveryStage stage;

  DeliveryRig(String clientId) {
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
    vertx = Vertx.vertx();
    tracking = new TopicTail<>(bootstrap, Topics.TRACKING);
    submissions = new TopicTail<>(bootstrap, Topics.SUBMISSION);
    publisher = TopicPublisher.create(bootstrap, clientId);
  }

  /** A scripted smart host on a free loopback port, closed with the rig. */
  ScriptedSmtpServer smartHost(ScriptedSmtpServer.Script script) throws Exception {
    ScriptedSmtpServer server = ScriptedSmtpServer.start(vertx, script);
    servers.add(server);
    return server;
  }

  /** A send connector for {@code domain} whose only smart host is {@code server}. */
  static SendConnector connector(String name, String domain, ScriptedSmtpServer server) {
    return new SendConnector(name, List.of(new SendConnector.AddressSpace(domain, 1)),
        List.of(new SmartHost("127.0.0.1", server.port())), server.port(), SendConnector.DEFAULT_MAX_MESSAGE_SIZE,
        List.of(), "");
  }

  /** Server EX01 in Default-Site, contoso.test authoritative, with these send connectors. */
  static Organization organization(SendConnector... connectors) {
    return new Organization("EX01", "Default-Site", KafkaTopics.defaults(),
        List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative, true)), List.of(),
        List.of(connectors), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
        null);
  }

  DeliveryStage start(Organization organization, Path mailStore, DeliveryStage.Options options) {
    stage = DeliveryStage.start(vertx, bootstrap, organization, mailStore, options);
    return stage;
  }

  /** Onto mail.delivery.v1 under the copy's next-hop key; returns once Kafka has it. */
  void publish(DeliveryItem item) throws Exception {
    NextHop hop = item.getNextHop();
    publisher.send(Topics.DELIVERY, hop.getDeliveryType() + ":" + hop.getNextHopDomain(), item)
        .get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    if (stage != null) {
      stage.close();
    }
    publisher.close();
    tracking.close();
    submissions.close();
    for (ScriptedSmtpServer server : servers) {
      server.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
