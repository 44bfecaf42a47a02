package io.mailflow.delivery.agent;

import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/** DeliveryItems - copies of mail.delivery.v1 for unit tests that need no broker. */
final class DeliveryItems {
  static {
    AvroCodec.of(DeliveryItem.class); // trusts our Avro package, so builders may fill in enum defaults
  }

  private DeliveryItems() {}

  /** A copy received at {@code receivedAt}, after {@code attempt} attempts, for {@code recipients}. */
  static DeliveryItem item(DeliveryType type, String domain, String connector, Instant receivedAt, int attempt,
      String... recipients) {
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId("nmid-1").setReceivedAt(receivedAt)
        .setReceivingServer("EX01").setReceiveConnector("Default Frontend EX01").setSessionId("08DC0001")
        .setClientIp("127.0.0.1").setClientHostname("client.fabrikam.test").setSender("carol@fabrikam.test")
        .setMessageIdHeader("<m@fabrikam.test>").setSubject("s").setSize(1).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-1").setAttempt(attempt)
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domain).setConnector(connector).build())
        .setRecipients(Arrays.stream(recipients).map(r -> ResolvedRecipient.newBuilder().setAddress(r)
            .setOriginalAddress(r).setType(RecipientType.EXTERNAL).build()).toList())
        .setBody(new InlineBody(ByteBuffer.wrap(new byte[] {'x'}))).build();
  }
}
