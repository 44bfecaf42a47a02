package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mailflow.delivery.agent.body.MessageSource;
import io.mailflow.organization.TransportService;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.smtp.SmtpReply;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A queue in Retry holds its copies in front of the agent; an Active queue's copies go to the agent. */
class RetryHoldTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final String QUEUE = "SmtpRelayToRemoteAdSite/B";
  private static final MessageSource CONTENT = MessageSource.of("Subject: s\r\n\r\nx\r\n".getBytes());

  private final NextHopQueues queues = new NextHopQueues(TransportRetrySchedule.of(TransportService.defaults()));
  private final List<DeliveryItem> called = new ArrayList<>();
  private final Attempted delivered = Attempted.sameForAll(item(DeliveryType.SmtpRelayToRemoteAdSite, "B", null, NOW,
      0, "bob@contoso.test"), SourceContext.attempt(0, QUEUE), SmtpReply.of(250, "2.0.0", "OK"));
  private final RetryHold hold = new RetryHold(queues, Clock.fixed(NOW, ZoneOffset.UTC), (item, content, context) -> {
    called.add(item);
    return Future.succeededFuture(delivered);
  });

  @Test
  void aQueueInRetryDefersEveryRecipientWithoutCallingTheAgent() {
    queues.connectionFailed(QUEUE, NOW, SmtpReply.of(421, "4.2.1", "Unable to connect to 192.0.2.7:25"));
    Attempted held = hold.attempt(item(DeliveryType.SmtpRelayToRemoteAdSite, "B", null, NOW, 1, "bob@contoso.test",
        "carol@contoso.test"), CONTENT, SourceContext.attempt(1, QUEUE)).result();

    assertEquals(List.of(), called, "got the agent called, want no attempt");
    assertEquals(2, held.outcomes().size());
    assertEquals("queued; next hop " + QUEUE + "; no connection attempted", held.context().toString());
  }

  @Test
  void anActiveQueueGoesToTheAgent() {
    DeliveryItem copy = item(DeliveryType.SmtpRelayToRemoteAdSite, "B", null, NOW, 0, "bob@contoso.test");
    Attempted a = hold.attempt(copy, CONTENT, SourceContext.attempt(0, QUEUE)).result();

    assertEquals(List.of(copy), called);
    assertSame(delivered, a);
  }
}
