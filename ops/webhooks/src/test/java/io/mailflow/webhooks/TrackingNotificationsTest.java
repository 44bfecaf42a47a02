package io.mailflow.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailflow.kafka.RecordOrigin;
import io.mailflow.organization.Webhook;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackingNotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordOrigin AT = new RecordOrigin("mail.tracking.v1", 1, 42, 0);
  private final TrackingNotifications notifications = new TrackingNotifications(true);

  private JsonNode only(TrackingEvent event) throws Exception {
    List<Notification> list = notifications.of(event, AT);
    assertEquals(1, list.size(), list.toString());
    return JSON.readTree(list.get(0).body());
  }

  @Test
  void deliverToAMailboxIsDelivered() throws Exception {
    JsonNode body = only(TrackingEvents.deliver("n1", "bob@contoso.test"));
    assertEquals("delivered", body.get("event").asText());
    assertEquals("2026-12-07T21:00:00Z", body.get("timestamp").asText());
    assertEquals(TrackingNotifications.id(AT, 0, "bob@contoso.test"), body.get("id").asText());
    assertEquals("n1", body.at("/message/network-message-id").asText());
    assertEquals("<n1@contoso.test>", body.at("/message/message-id").asText());
    assertEquals("alice@contoso.test", body.at("/message/sender-address").asText());
    assertEquals("Quarterly report", body.at("/message/message-subject").asText());
    assertEquals(2048, body.at("/message/total-bytes").asLong());
    assertEquals("bob@contoso.test", body.get("recipient").asText());
    assertEquals("250 2.0.0 delivered", body.get("status").asText());
    assertEquals("EX01", body.get("server").asText());
    assertEquals("attempt 1; next hop SmtpDeliveryToMailbox/db01", body.get("source-context").asText());
  }

  @Test
  void sendOutsideIsDeliveredOncePerRecipient() throws Exception {
    List<Notification> list = notifications.of(TrackingEvents.sendOut("n2", List.of("a@fabrikam.test",
        "b@fabrikam.test")), AT);
    assertEquals(2, list.size());
    assertEquals("b@fabrikam.test", JSON.readTree(list.get(1).body()).get("recipient").asText());
    assertEquals("Internet", JSON.readTree(list.get(1).body()).get("connector-id").asText());
    assertNotEquals(list.get(0).id(), list.get(1).id());
  }

  @Test
  void relayToAnotherSiteIsNoStatusChange() {
    assertEquals(List.of(), notifications.of(TrackingEvents.sendToOtherSite("n3", "c@contoso.test"), AT));
    TrackingEvent byNextHopOnly = TrackingEvent.newBuilder(TrackingEvents.sendToOtherSite("n3", "c@contoso.test"))
        .setConnectorId(null).build();
    assertNull(TrackingNotifications.statusOf(byNextHopOnly));
  }

  @Test
  void deferCarriesTheReplyAndNextRetry() throws Exception {
    JsonNode body = only(TrackingEvents.defer("n4", "d@fabrikam.test"));
    assertEquals("deferred", body.get("event").asText());
    assertEquals("451 4.4.0 remote busy", body.get("status").asText());
    assertEquals("2026-12-07T21:01:00Z", body.get("next-retry-time").asText());
    assertNull(TrackingNotifications.nextRetry("queued; next hop X/y; held"));
  }

  @Test
  void failIsFailed() throws Exception {
    JsonNode body = only(TrackingEvents.fail("n5", "e@fabrikam.test"));
    assertEquals("failed", body.get("event").asText());
    assertEquals("550 5.1.1 User unknown", body.get("status").asText());
  }

  @Test
  void nonDeliveryReportAboutTheOriginalIsBounced() throws Exception {
    JsonNode body = only(TrackingEvents.ndrAboutOriginal("n6", "f@fabrikam.test"));
    assertEquals("bounced", body.get("event").asText());
    assertEquals("f@fabrikam.test", body.get("recipient").asText());
    assertEquals("dsn-n6", body.at("/report/network-message-id").asText());
    assertEquals("alice@contoso.test", body.at("/report/sent-to").asText());
    assertEquals(List.of(), notifications.of(TrackingEvents.ndrAboutReport("n6"), AT));
    assertEquals(List.of(), notifications.of(TrackingEvents.delayNotification("n6", "f@fabrikam.test"), AT));
  }

  @Test
  void otherEventsAreNone() {
    assertEquals(List.of(), notifications.of(TrackingEvents.receive("n7"), AT));
    assertEquals(List.of(), notifications.of(TrackingEvents.queueState(), AT));
    for (String id : List.of("SUBMIT", "RESOLVE", "EXPAND", "TRANSFER", "QUEUEACTION", "SOMETHING_NEW")) {
      TrackingEvent e = TrackingEvents.about("n8", "ROUTING", id, List.of("x@contoso.test"), List.of()).build();
      assertNull(TrackingNotifications.statusOf(e), id);
    }
  }

  @Test
  void subjectOnlyWhenSubjectLoggingIsOn() throws Exception {
    JsonNode body = JSON.readTree(new TrackingNotifications(false).of(TrackingEvents.deliver("n9", "g@contoso.test"),
        AT).get(0).body());
    assertFalse(body.get("message").has("message-subject"));
  }

  @Test
  void idIsStableAndPerPlaceAndRecipient() {
    assertEquals(TrackingNotifications.id(AT, 0, "a@x.test"), TrackingNotifications.id(AT, 0, "a@x.test"));
    assertNotEquals(TrackingNotifications.id(AT, 0, "a@x.test"),
        TrackingNotifications.id(new RecordOrigin("mail.tracking.v1", 1, 43, 0), 0, "a@x.test"));
    assertEquals(Webhook.Event.Delivered, notifications.of(TrackingEvents.deliver("n1", "b@contoso.test"), AT).get(0).event());
  }
}
