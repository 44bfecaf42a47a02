package io.mailflow.delivery.agent.lmtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer;
import io.mailflow.delivery.agent.smtp.ScriptedSmtpServer.Script;
import io.mailflow.delivery.agent.smtp.SmtpClientOptions;
import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.delivery.core.DeliveryOutcome.Delivered;
import io.mailflow.delivery.core.DeliveryOutcome.Permanent;
import io.mailflow.delivery.core.DeliveryOutcome.Transient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The LMTP dialogue (RFC 2033) against the scripted server: LHLO, per-recipient replies after the dot. */
class LmtpStoreIT {

  private static final byte[] MESSAGE = "Subject: lmtp\r\n\r\nHello.\r\n".getBytes(UTF_8);

  private Vertx vertx;
  private LmtpStore store;
  private ScriptedSmtpServer server;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = LmtpStore.create(vertx, new SmtpClientOptions().setHeloName("mf1.contoso.test")
        .setReplyTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    store.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private List<DeliveryOutcome> deliver(Script script, String... recipients) throws Exception {
    server = ScriptedSmtpServer.start(vertx, script);
    return store.deliver("127.0.0.1", server.port(), "a@src.test", List.of(recipients), MessageSource.of(MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void eachAcceptedRecipientIsDecidedByItsOwnReplyAfterTheDot() throws Exception {
    List<DeliveryOutcome> outcomes = deliver(new Script().lmtp()
            .rcpt("gone@contoso.test", "550 5.1.1 <gone@contoso.test> User doesn't exist")
            .lmtpEnd("full@contoso.test", "452 4.2.2 <full@contoso.test> Quota exceeded (mailbox for user is full)")
            .lmtpEnd("bad@contoso.test", "552 5.2.2 <bad@contoso.test> Quota exceeded"),
        "alice@contoso.test", "gone@contoso.test", "full@contoso.test", "bad@contoso.test", "bob@contoso.test");

    assertInstanceOf(Delivered.class, outcomes.get(0));
    assertEquals("250 2.0.0 <alice@contoso.test> Saved", outcomes.get(0).recipientStatus());
    assertInstanceOf(Permanent.class, outcomes.get(1));
    assertInstanceOf(Transient.class, outcomes.get(2));
    assertTrue(outcomes.get(2).recipientStatus().startsWith("452 4.2.2"));
    assertInstanceOf(Permanent.class, outcomes.get(3));
    assertEquals("250 2.0.0 <bob@contoso.test> Saved", outcomes.get(4).recipientStatus());
    assertEquals(List.of("LHLO mf1.contoso.test"), server.commandsStartingWith("LHLO"));
    assertEquals(List.of(), server.commandsStartingWith("EHLO"));
    assertEquals(1, server.messages.size());
  }

  @Test
  void recipientsSettledBeforeADropKeepTheirReplyAndTheRestAreTransient() throws Exception {
    List<DeliveryOutcome> outcomes = deliver(new Script().lmtp().dropAfterLmtpReplies(1),
        "alice@contoso.test", "bob@contoso.test", "carol@contoso.test");

    assertInstanceOf(Delivered.class, outcomes.get(0), outcomes.toString());
    assertInstanceOf(Transient.class, outcomes.get(1), outcomes.toString());
    assertInstanceOf(Transient.class, outcomes.get(2), outcomes.toString());
    assertTrue(outcomes.get(1).recipientStatus().startsWith("421 4.4.2"), outcomes.get(1).recipientStatus());
  }

  @Test
  void aStoreThatIsNotListeningMakesEveryRecipientTransient() throws Exception {
    List<DeliveryOutcome> outcomes = store.deliver("127.0.0.1", ScriptedSmtpServer.closedPort(), "a@src.test",
        List.of("alice@contoso.test", "bob@contoso.test"), MessageSource.of(MESSAGE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    for (DeliveryOutcome o : outcomes) {
      assertTrue(o.recipientStatus().startsWith("421 4.2.1 Unable to connect"), o.recipientStatus());
    }
  }
}
