package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.lmtp.LmtpStore;
import io.mailflow.delivery.agent.maildir.MaildirStore;
import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Permanent;
import io.mailflow.organization.Organization;
import io.mailflow.organization.OrganizationLoader;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MailboxDeliverer sends the recipients of a database with an lmtp endpoint there, the others to the Maildir store. */
class MailboxDelivererLmtpIT {

  static {
    io.mailflow.schemas.codec.AvroCodec.of(DeliveryItem.class); // trusts our Avro package, so builders may fill in enum defaults
  }

  private static final byte[] MESSAGE = "Subject: per database\r\n\r\nHello.\r\n".getBytes(UTF_8);

  @TempDir
  Path root;
  private Vertx vertx;
  private ScriptedSmtpServer lmtpServer;
  private LmtpStore lmtp;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    lmtpServer = ScriptedSmtpServer.start(vertx, new Script().lmtp()
        .rcpt("gone@contoso.test", "550 5.1.1 <gone@contoso.test> User doesn't exist"));
    lmtp = LmtpStore.create(vertx, new SmtpClientOptions().setHeloName("mf1").setReplyTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void tearDown() throws Exception {
    lmtp.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    lmtpServer.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void recipientsGoToTheStoreOfTheirDatabaseAndOutcomesKeepTheirOrder() throws Exception {
    Organization org = OrganizationLoader.parse("serverName: MF1\nacceptedDomains: [contoso.test]\ndatabases:\n"
        + "  - {name: DB01}\n  - {name: DB02, lmtp: \"127.0.0.1:" + lmtpServer.port() + "\"}\n", "t.yaml");
    MailboxDeliverer deliverer = new MailboxDeliverer(MaildirStore.create(vertx, root, "mf1"), lmtp, org);

    List<DeliveryOutcome> outcomes = deliverer.deliver(item(mailbox("ann@contoso.test", "DB02"),
            mailbox("local@contoso.test", "DB01"), mailbox("gone@contoso.test", "DB02"),
            mailbox("ben@contoso.test", "DB02")), MessageSource.of(MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals("250 2.0.0 <ann@contoso.test> Saved", outcomes.get(0).recipientStatus());
    assertInstanceOf(Delivered.class, outcomes.get(1));
    assertTrue(outcomes.get(1).recipientStatus().startsWith("250 2.0.0 Delivered to mailbox as"));
    assertInstanceOf(Permanent.class, outcomes.get(2));
    assertEquals("250 2.0.0 <ben@contoso.test> Saved", outcomes.get(3).recipientStatus());
    assertEquals(List.of("RCPT TO:<ann@contoso.test>", "RCPT TO:<gone@contoso.test>", "RCPT TO:<ben@contoso.test>"),
        lmtpServer.commandsStartingWith("RCPT"), "one LMTP transaction for DB02's recipients");
    try (Stream<Path> files = Files.list(root.resolve("DB01/local@contoso.test/Maildir/new"))) {
      assertEquals(1, files.count());
    }
    assertTrue(Files.notExists(root.resolve("DB02")), "nothing of DB02 in the built-in store");
  }

  private static DeliveryItem item(ResolvedRecipient... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId("nmid-lmtp").setReceivedAt(Instant.now()).setReceivingServer("EDGE1")
        .setReceiveConnector("Default Frontend MF1").setSessionId("08DC0001").setClientIp("127.0.0.1")
        .setClientHostname("client.fabrikam.test").setSender("alice@fabrikam.test")
        .setMessageIdHeader("<lmtp@fabrikam.test>").setSubject("per database").setSize(MESSAGE.length).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-lmtp")
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmtpDeliveryToMailbox).setNextHopDomain("DB01")
            .setConnector(null).build())
        .setRecipients(List.of(recipients)).setBody(new InlineBody(ByteBuffer.wrap(MESSAGE))).build();
  }

  private static ResolvedRecipient mailbox(String address, String database) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.MAILBOX).setMailboxDatabase(database).build();
  }
}
