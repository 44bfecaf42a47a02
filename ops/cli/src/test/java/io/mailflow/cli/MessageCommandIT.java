package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TopicProvisioner;
import io.mailflow.kafka.TopicPublisher;
import io.mailflow.kafka.Topics;
import io.mailflow.kafka.embedded.SharedKafka;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mailflow message list | show | suspend | resume | retry | remove | export` and `mailflow queue digest | list`
 * against a real broker, copies written straight to mail.delivery.v1 as routing would.
 */
class MessageCommandIT {
  private static String bootstrap;

  static {
    AvroCodec.of(DeliveryItem.class); // trusts our Avro package, so builders may fill in enum defaults
  }

  @BeforeAll
  static void topics() {
    bootstrap = SharedKafka.bootstrapServers();
    TopicProvisioner.ensureTopics(bootstrap, 2, (short) 1, Duration.ofSeconds(30));
  }

  /** Three copies in a fresh queue, from carol, dave, carol, received a minute apart; their ids. */
  private static List<String> threeCopies(String queue) throws Exception {
    List<String> ids = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(300);
    try (TopicPublisher publisher = TopicPublisher.create(bootstrap, "message-command-it")) {
      for (int i = 0; i < 3; i++) {
        String id = UUID.randomUUID().toString();
        String sender = i == 1 ? "dave@fabrikam.test" : "carol@fabrikam.test";
        String body = "From: " + sender + "\r\nSubject: note " + i + "\r\n\r\nhello " + id + "\r\n";
        Envelope envelope = Envelope.newBuilder().setNetworkMessageId("nmid-" + id)
            .setReceivedAt(start.plusSeconds(60L * i)).setReceivingServer("EX01")
            .setReceiveConnector("Default Frontend EX01").setSessionId("08DC0001").setClientIp("127.0.0.1")
            .setClientHostname("client.fabrikam.test").setSender(sender).setSubject("note " + i)
            .setSize(body.length()).build();
        DeliveryItem item = DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId(id)
            .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmartHostConnectorDelivery)
                .setNextHopDomain(queue.substring(queue.indexOf(':') + 1)).build())
            .setRecipients(List.of(ResolvedRecipient.newBuilder().setAddress("bob" + i + "@peer.test")
                .setOriginalAddress("bob" + i + "@peer.test").setType(RecipientType.EXTERNAL).build()))
            .setBody(new InlineBody(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)))).build();
        publisher.send(Topics.DELIVERY, queue, item).get(10, TimeUnit.SECONDS);
        ids.add(id);
      }
    }
    return ids;
  }

  private static String state(String id) {
    try (ControlView view = ControlView.start(bootstrap, "message-command-it", Duration.ofSeconds(15))) {
      return view.get(ControlKind.MESSAGE, id).map(r -> r.getState()).orElse(null);
    }
  }

  @Test
  void listShowsExchangesColumnsFilteredAndShowPrintsTheDetail() throws Exception {
    String queue = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    List<String> ids = threeCopies(queue);
    CliRun list = mailflow("message", "list", "--queue", queue, "--bootstrap", bootstrap);
    assertEquals(0, list.exit(), list.err());
    List<String> lines = list.out().lines().toList();
    assertTrue(lines.get(0).matches("Identity\\s+FromAddress\\s+Status\\s+Size \\(KB\\)\\s+MessageSourceName\\s+SCL"
        + "\\s+DateReceived\\s+RetryCount\\s+ExpirationTime\\s+LastError"), lines.get(0));
    assertEquals(5, lines.size(), list.out());
    assertTrue(lines.get(1).startsWith(ids.get(0)), "oldest first: " + lines.get(1));
    assertTrue(lines.get(1).matches(".*carol@fabrikam\\.test\\s+Ready\\s+0\\.\\d\\s+Default Frontend EX01\\s+-\\s+.*"),
        lines.get(1));
    assertEquals("3 of 3 message(s)", lines.get(4));

    CliRun dave = mailflow("message", "list", "--queue", queue, "--sender", "dave@*", "--bootstrap", bootstrap);
    assertEquals(0, dave.exit(), dave.err());
    assertTrue(dave.out().contains(ids.get(1)) && !dave.out().contains(ids.get(0)), dave.out());
    CliRun limited = mailflow("message", "list", "--queue", queue, "--limit", "1", "--bootstrap", bootstrap);
    assertTrue(limited.out().contains("1 of 3 message(s) (--limit shows more)"), limited.out());

    CliRun show = mailflow("message", "show", ids.get(2), "--bootstrap", bootstrap);
    assertEquals(0, show.exit(), show.err());
    assertTrue(show.out().contains("Identity           : " + ids.get(2)), show.out());
    assertTrue(show.out().contains("FromAddress        : carol@fabrikam.test"), show.out());
    assertTrue(show.out().contains("  bob2@peer.test  Ready"), show.out());
    assertTrue(show.out().contains("  Subject: note 2"), show.out());

    CliRun bad = mailflow("message", "list", "--status", "Sleeping", "--bootstrap", bootstrap);
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--status must be one of"), bad.err());
    CliRun unknown = mailflow("message", "show", "no-such-id", "--bootstrap", bootstrap);
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("no queued message 'no-such-id'"), unknown.err());
  }

  @Test
  void actionsWriteMessageControlRecordsAndExportWritesTheEml(@TempDir Path dir) throws Exception {
    String queue = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    List<String> ids = threeCopies(queue);
    CliRun suspended = mailflow("message", "suspend", ids.get(0), "--reason", "odd", "--bootstrap", bootstrap);
    assertEquals(0, suspended.exit(), suspended.err());
    assertEquals("message " + ids.get(0) + " suspended by " + KafkaOption.who() + " (state Suspended): odd",
        suspended.out().strip());
    assertEquals("Suspended", state(ids.get(0)));
    assertEquals(0, mailflow("message", "retry", ids.get(1), "--bootstrap", bootstrap).exit());
    assertEquals("Retry", state(ids.get(1)));
    assertEquals(0, mailflow("message", "resume", ids.get(0), "--bootstrap", bootstrap).exit());
    assertEquals("Active", state(ids.get(0)));
    assertEquals(0, mailflow("message", "remove", ids.get(2), "--with-ndr", "--bootstrap", bootstrap).exit());
    assertEquals("RemovedWithNDR", state(ids.get(2)));
    CliRun refused = mailflow("message", "suspend", ids.get(2), "--bootstrap", bootstrap);
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("is being removed"), refused.err());
    CliRun list = mailflow("message", "list", "--queue", queue, "--status", "PendingRemove", "--bootstrap", bootstrap);
    assertTrue(list.out().contains(ids.get(2)) && list.out().contains("1 of 1"), list.out());

    Path eml = dir.resolve("m.eml");
    CliRun export = mailflow("message", "export", ids.get(0), "-o", eml.toString(), "--bootstrap", bootstrap);
    assertEquals(0, export.exit(), export.err());
    assertTrue(Files.readString(eml).endsWith("hello " + ids.get(0) + "\r\n"), Files.readString(eml));
  }

  @Test
  void queueDigestGroupsTheCopiesWithQshapesAges() throws Exception {
    String queue = "SmartHostConnectorDelivery:" + UUID.randomUUID() + ".test";
    threeCopies(queue);
    CliRun digest = mailflow("queue", "digest", "--group-by", "nextHopDomain", "--bootstrap", bootstrap);
    assertEquals(0, digest.exit(), digest.err());
    assertTrue(digest.out().lines().findFirst().orElseThrow()
        .matches("NextHopDomain\\s+MessageCount\\s+QueueCount\\s+0\\s+5\\s+10\\s+20.*1280\\s+1280\\+"), digest.out());
    String domain = queue.substring(queue.indexOf(':') + 1);
    String line = digest.out().lines().filter(l -> l.startsWith(domain)).findFirst().orElseThrow();
    // received 5, 4 and 3 minutes ago: all in the "5" bucket
    assertTrue(line.matches(java.util.regex.Pattern.quote(domain) + "\\s+3\\s+1\\s+0\\s+3(\\s+0){9}"), line);
    CliRun bad = mailflow("queue", "digest", "--group-by", "colour", "--bootstrap", bootstrap);
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--group-by must be one of"), bad.err());

    CliRun list = mailflow("queue", "list", "--bootstrap", bootstrap);
    String row = list.out().lines().filter(l -> l.contains(queue)).findFirst().orElseThrow();
    assertTrue(row.matches("\\*\\\\" + java.util.regex.Pattern.quote(queue)
        + "\\s+SmartHostConnectorDelivery\\s+Ready\\s+3\\s+.*"), row);
  }

  @Test
  void aBrokerThatDoesNotAnswerIsOneLineAndExit1() {
    CliRun list = mailflow("message", "list", "--bootstrap", "127.0.0.1:" + TestPorts.free(), "--kafka-timeout", "2");
    assertEquals(1, list.exit(), list.out());
    assertTrue(list.err().contains("the message index did not catch up with 127.0.0.1:"), list.err());
    assertEquals(1, list.err().strip().lines().count(), "one line, no stack trace: " + list.err());
  }
}
