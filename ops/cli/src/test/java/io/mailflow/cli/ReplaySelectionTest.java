package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.kafka.Topics;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplaySelectionTest {
  private static final String KEY = "SmtpDeliveryToMailbox/DB01";

  static {
    // Loading a codec trusts io.mailflow.schemas.avro, as every process that reads records does first.
    Topics.DELIVERY.codec();
  }

  private static DeliveryItem item(String iid, String... recipients) {
    Envelope envelope = Envelope.newBuilder().setNetworkMessageId("nmid-" + iid).setReceivedAt(Instant.EPOCH)
        .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("S1")
        .setClientIp("127.0.0.1").setClientHostname("client.example").setSender("carol@example.com").setSize(1)
        .build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId(iid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(DeliveryType.SmtpDeliveryToMailbox)
            .setNextHopDomain("db01").build())
        .setRecipients(List.of(recipients).stream().map(a -> ResolvedRecipient.newBuilder().setAddress(a)
            .setOriginalAddress(a).setType(RecipientType.MAILBOX).build()).toList())
        .setBody(new InlineBody(ByteBuffer.wrap(new byte[] {'x'}))).build();
  }

  private static List<String> recipients(Optional<DeliveryItem> picked) {
    return picked.map(i -> i.getRecipients().stream().map(ResolvedRecipient::getAddress).toList()).orElse(List.of());
  }

  @Test
  void withoutAFilterEveryRecipientIsPicked() {
    assertEquals(List.of("alice@contoso.test", "bob@fabrikam.test"),
        recipients(new ReplaySelection(null, null, null).pick(KEY, item("1", "alice@contoso.test", "bob@fabrikam.test"))));
  }

  @Test
  void aRecipientFilterKeepsOnlyThatRecipientIgnoringCase() {
    ReplaySelection selection = new ReplaySelection("Alice@Contoso.TEST", null, null);
    assertEquals(List.of("alice@contoso.test"),
        recipients(selection.pick(KEY, item("1", "alice@contoso.test", "bob@contoso.test"))));
    assertTrue(selection.pick(KEY, item("2", "bob@contoso.test")).isEmpty());
  }

  @Test
  void aDomainFilterKeepsRecipientsOfThatDomainOnly() {
    ReplaySelection selection = new ReplaySelection(null, "@fabrikam.test", null);
    assertEquals(List.of("bob@fabrikam.test"),
        recipients(selection.pick(KEY, item("1", "alice@contoso.test", "bob@fabrikam.test", "x@sub.fabrikam.test"))));
  }

  @Test
  void aNextHopFilterMatchesTheRecordKeyExactly() {
    ReplaySelection selection = new ReplaySelection(null, null, KEY);
    assertTrue(selection.pick(KEY, item("1", "alice@contoso.test")).isPresent());
    assertTrue(selection.pick("SmartHostConnectorDelivery/127.0.0.1:2626/Outbound", item("2", "alice@contoso.test")).isEmpty());
  }

  @Test
  void copiesMadeByAnEarlierReplayAreNeverPicked() {
    DeliveryItem replayed = DeliveryItem.newBuilder(item("1", "alice@contoso.test"))
        .setReplayOf("mail.delivery.v1-0@3").build();
    assertTrue(new ReplaySelection(null, null, null).pick(KEY, replayed).isEmpty());
  }

  @Test
  void aRecipientOfOneCopyIsPickedOncePerRunThoughItsRetriesAreInTheQueueToo() {
    ReplaySelection selection = new ReplaySelection(null, null, null);
    assertEquals(List.of("alice@contoso.test", "bob@contoso.test"),
        recipients(selection.pick(KEY, item("1", "alice@contoso.test", "bob@contoso.test"))));
    assertEquals(List.of(), recipients(selection.pick(KEY, item("1", "bob@contoso.test"))));
    assertEquals(List.of("bob@contoso.test"), recipients(selection.pick(KEY, item("2", "bob@contoso.test"))));
  }
}
