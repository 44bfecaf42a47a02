package io.mailflow.delivery.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.InlineBody;
import io.mailflow.schemas.avro.NextHop;
import io.mailflow.schemas.avro.RecipientType;
import io.mailflow.schemas.avro.ResolvedRecipient;
import io.mailflow.schemas.avro.SubmittedMessage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * ReportedItems - delivery items for tests whose failures produce DSNs: an envelope with ENVID and a
 * Message-ID the DSN can be found by, external recipients with optional ORCPT, and the DSN's text.
 */
final class ReportedItems {
  private ReportedItems() {}

  static DeliveryItem item(String nmid, String sender, DeliveryType type, String connector,
      Instant receivedAt, ResolvedRecipient... recipients) {
    byte[] message = ("From: " + (sender.isEmpty() ? "postmaster@fabrikam.test" : sender)
        + "\r\nTo: someone@fabrikam.test\r\nSubject: Report " + nmid + "\r\nMessage-ID: <" + nmid
        + "@contoso.test>\r\n\r\nBody.\r\n").getBytes(UTF_8);
    Envelope envelope = Envelope.newBuilder()
        .setNetworkMessageId(nmid).setReceivedAt(receivedAt).setReceivingServer("EX01")
        .setReceiveConnector("Default Frontend EX01").setSessionId("08DC0002").setClientIp("127.0.0.1")
        .setClientHostname("client.contoso.test").setSender(sender).setMessageIdHeader("<" + nmid + "@contoso.test>")
        .setSubject("Report " + nmid).setSize(message.length).setEnvId("ENV-" + nmid).build();
    return DeliveryItem.newBuilder().setEnvelope(envelope).setInternalMessageId("iid-" + nmid)
        .setNextHop(NextHop.newBuilder().setDeliveryType(type).setNextHopDomain(domainOf(recipients[0].getAddress()))
            .setConnector(connector).build())
        .setRecipients(List.of(recipients)).setBody(new InlineBody(ByteBuffer.wrap(message))).build();
  }

  static ResolvedRecipient external(String address, String orcpt) {
    return ResolvedRecipient.newBuilder().setAddress(address).setOriginalAddress(address)
        .setType(RecipientType.EXTERNAL).setOrcpt(orcpt).build();
  }

  static String body(SubmittedMessage m) {
    ByteBuffer data = ((InlineBody) m.getBody()).getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, UTF_8);
  }

  private static String domainOf(String address) {
    return address.substring(address.indexOf('@') + 1);
  }
}
