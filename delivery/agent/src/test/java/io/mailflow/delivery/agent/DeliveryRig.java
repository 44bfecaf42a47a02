package io.mailflow.delivery.agent;

import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.kafka.Topic;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;

/**
 * DeliveryRig - what a delivery integration test stands on: the shared embedded broker with mailflow's topics,
 * a Vert.x instance, scripted smart hosts (and dnsmasq when a test routes by MX), tails of mail.tracking.v1,
 * mail.submission.v1 (where DSNs go) and any other topic a test watches, a publisher for mail.delivery.v1 and
 * the stage itself. Everything it started is closed in the reverse order, each even when another fails to
 * close, and what a failed constructor had already started is closed before it throws.
 */
final class DeliveryRig implements AutoCloseable {
  final String bootstrap = SharedKafka.bootstrapServers();
  final Vertx vertx;
  final TopicPublisher publisher;
  final TopicTail<TrackingEvent> tracking;
  final TopicTail<SubmittedMessage> submissions;
  /** What to close, the last started first. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private DeliveryStage stage;

  DeliveryRig(String clientId) throws Exception {
    try {
      TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
      vertx = Vertx.vertx();
      Vertx created = vertx;
      started.push(() -> created.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      tracking = tail(Topics.TRACKING);
      submissions = tail(Topics.SUBMISSION);
      publisher = TopicPublisher.create(bootstrap, clientId);
      started.push(publisher);
    } catch (Exception | Error e) {
      closeStarted(e);
      throw e;
    }
  }

  /** A tail of {@code topic} from now on, closed with the rig. */
  <V extends SpecificRecord> TopicTail<V> tail(Topic<V> topic) {
    TopicTail<V> tail = new TopicTail<>(bootstrap, topic);
    started.push(tail);
    return tail;
  }

  /** A scripted smart host on a free loopback port, closed with the rig. */
  ScriptedSmtpServer smartHost(ScriptedSmtpServer.Script script) throws Exception {
    ScriptedSmtpServer server = ScriptedSmtpServer.start(vertx, script);
    started.push(server);
    return server;
  }

  /** dnsmasq answering only {@code records} (see {@link Dnsmasq}), closed with the rig; skips the test without it. */
  Dnsmasq dns(String... records) throws Exception {
    Dnsmasq dns = Dnsmasq.startOrSkip(records);
    started.push(dns);
    return dns;
  }

  /** A send connector for {@code domain} whose only smart host is {@code server}; HELO with the server name. */
  static SendConnector connector(String name, String domain, ScriptedSmtpServer server) {
    return connector(name, domain, "", server);
  }

  /** A send connector for {@code domain} whose only smart host is {@code server}, saying HELO as {@code fqdn}. */
  static SendConnector connector(String name, String domain, String fqdn, ScriptedSmtpServer server) {
    return new SendConnector(name, List.of(new SendConnector.AddressSpace(domain, 1)),
        List.of(new SmartHost("127.0.0.1", server.port())), server.port(), SendConnector.DEFAULT_MAX_MESSAGE_SIZE,
        List.of(), fqdn);
  }

  /** Server EX01 in Default-Site, contoso.test authoritative, with these send connectors. */
  static Organization organization(SendConnector... connectors) {
    return organization("EX01", List.of(new AcceptedDomain("contoso.test", AcceptedDomain.DomainType.Authoritative,
        true)), connectors);
  }

  /** Server {@code serverName} in Default-Site with these accepted domains and send connectors. */
  static Organization organization(String serverName, List<AcceptedDomain> acceptedDomains,
      SendConnector... connectors) {
    return new Organization(serverName, "Default-Site", KafkaTopics.defaults(), acceptedDomains, List.of(),
        List.of(connectors), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
        null);
  }

  /** The stage, its meters in the options' registry (a private one by default); closed first with the rig. */
  DeliveryStage start(Organization organization, Path mailStore, DeliveryStage.Options options) {
    return start(organization, mailStore, options, options.meters());
  }

  /** The stage, its queue metrics in {@code meters}; closed first with the rig. */
  DeliveryStage start(Organization organization, Path mailStore, DeliveryStage.Options options,
      MeterRegistry meters) {
    if (stage != null) {
      throw new IllegalStateException("one stage per rig");
    }
    stage = DeliveryStage.start(vertx, bootstrap, organization, mailStore, options.withMeters(meters));
    started.push(stage);
    return stage;
  }

  /** Onto mail.delivery.v1 under the copy's next-hop key ({@code type:domain}); returns once Kafka has it. */
  void publish(DeliveryItem item) throws Exception {
    NextHop hop = item.getNextHop();
    publish(hop.getDeliveryType() + ":" + hop.getNextHopDomain(), item);
  }

  /** Onto mail.delivery.v1 under {@code key}; returns once Kafka has it. */
  void publish(String key, DeliveryItem item) throws Exception {
    publisher.send(Topics.DELIVERY, key, item).get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    closeStarted(null);
  }

  /** Closes everything started, the last first; the first failure is thrown with the others suppressed. */
  private void closeStarted(Throwable alreadyFailing) throws Exception {
    Exception first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        if (alreadyFailing != null) {
          alreadyFailing.addSuppressed(e);
        } else if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
