package io.mailflow.tracking;

import static io.mailflow.tracking.Events.at;
import static io.mailflow.tracking.Events.envelope;
import static io.mailflow.tracking.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailflow.kafka.TrackingEventId;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.Envelope;
import io.mailflow.schemas.avro.TrackingEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Delivery reports built from events the stages' own Tracking builder writes. */
class DeliveryReportTest {
  private static final Envelope MSG = envelope("nmid-1", "carol@contoso.test", "<m1@contoso.test>", "Q4 numbers");

  /**
   * Received at EX01 (site A), categorized there, relayed by SMTP to EX02 (site B) with the same network message id,
   * delivered there to two mailboxes; a third recipient is unknown at EX02: FAIL and an NDR (DSN).
   */
  static List<TrackingEvent> relayedAcrossSites() {
    List<String> all = List.of("alice@contoso.test", "bob@contoso.test", "nobody@contoso.test");
    List<TrackingEvent> events = new ArrayList<>();
    events.add(at("EX01", 0).about(MSG, TrackingSource.SMTP, TrackingEventId.RECEIVE, all, List.of())
        .setConnectorId("EX01\\Default Frontend EX01").setInternalMessageId("101").build());
    events.add(at("EX01", 1).about(MSG, TrackingSource.ROUTING, TrackingEventId.TRANSFER, all, List.of())
        .setInternalMessageId("101").build());
    events.add(at("EX01", 2).about(MSG, TrackingSource.SMTP, TrackingEventId.SEND, all,
            List.of("250 2.6.0 Queued mail for delivery", "250 2.6.0 Queued mail for delivery",
                "250 2.6.0 Queued mail for delivery"))
        .setConnectorId("Intra-Organization SMTP Send Connector").setServerIp("10.2.0.2")
        .setSourceContext("site B").build());
    events.add(at("EX02", 3).about(MSG, TrackingSource.SMTP, TrackingEventId.RECEIVE, all, List.of())
        .setConnectorId("EX02\\Default EX02").setInternalMessageId("202").build());
    events.add(event("EX02", 4, MSG, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER,
        List.of("alice@contoso.test", "bob@contoso.test"), List.of("250 2.0.0 OK", "250 2.0.0 OK")));
    events.add(event("EX02", 4, MSG, TrackingSource.CATEGORIZER, TrackingEventId.FAIL,
        List.of("nobody@contoso.test"), List.of("550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found")));
    events.add(at("EX02", 5).about(MSG, TrackingSource.DSN, TrackingEventId.DSN, List.of("nobody@contoso.test"),
            List.of("5.1.10")).setRelatedRecipientAddress("carol@contoso.test").setReference("nmid-dsn").build());
    return events;
  }

  @Test
  void relayedMessageHasOneLinePerRecipientAcrossBothServers() {
    DeliveryReport r = DeliveryReport.of(relayedAcrossSites());
    assertEquals(List.of("nmid-1"), r.networkMessageIds());
    assertEquals("<m1@contoso.test>", r.messageId());
    assertEquals("Q4 numbers", r.subject());
    assertEquals("carol@contoso.test", r.sender());
    assertEquals(Events.T0, r.submitTime());
    assertEquals(List.of("alice@contoso.test Delivered", "bob@contoso.test Delivered",
        "nobody@contoso.test Failed"), lines(r));
    DeliveryReport.Recipient alice = r.recipients().get(0);
    assertEquals(List.of("EX01 ROUTING TRANSFER", "EX01 SMTP SEND", "EX02 STOREDRIVER DELIVER"), steps(alice));
    assertEquals("250 2.6.0 Queued mail for delivery", alice.events().get(1).recipientStatus());
    assertEquals("Intra-Organization SMTP Send Connector", alice.events().get(1).connectorId());
    assertEquals("250 2.0.0 OK", alice.events().get(2).recipientStatus());
    DeliveryReport.Recipient nobody = r.recipients().get(2);
    assertEquals(List.of("EX01 ROUTING TRANSFER", "EX01 SMTP SEND", "EX02 CATEGORIZER FAIL", "EX02 DSN DSN"),
        steps(nobody));
    assertEquals("550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found", nobody.events().get(2).recipientStatus());
    assertEquals("carol@contoso.test", nobody.events().get(3).relatedRecipientAddress());
    assertEquals(List.of("EX01 SMTP RECEIVE", "EX02 SMTP RECEIVE"), r.messageEvents().stream()
        .map(e -> e.server() + " " + e.source() + " " + e.eventId()).toList());
  }

  @Test
  void eventsInAnyOrderGiveTheSameReport() {
    List<TrackingEvent> shuffled = new ArrayList<>(relayedAcrossSites());
    Collections.reverse(shuffled);
    DeliveryReport r = DeliveryReport.of(shuffled);
    assertEquals(List.of("alice@contoso.test Delivered", "bob@contoso.test Delivered",
        "nobody@contoso.test Failed"), lines(r));
  }

  @Test
  void relayedButNotYetReceivedAtTheNextServerIsTransferredThenPending() {
    List<TrackingEvent> sentOnly = relayedAcrossSites().subList(0, 3);
    assertEquals(List.of("alice@contoso.test Transferred", "bob@contoso.test Transferred",
        "nobody@contoso.test Transferred"), lines(DeliveryReport.of(sentOnly)));
    List<TrackingEvent> receivedThere = relayedAcrossSites().subList(0, 4);
    assertEquals(List.of("alice@contoso.test Pending", "bob@contoso.test Pending", "nobody@contoso.test Pending"),
        lines(DeliveryReport.of(receivedThere)));
  }

  @Test
  void deferredIsPending() {
    List<TrackingEvent> events = new ArrayList<>(relayedAcrossSites().subList(0, 2));
    events.add(event("EX01", 9, MSG, TrackingSource.SMTP, TrackingEventId.DEFER, List.of("alice@contoso.test"),
        List.of("451 4.4.0 Primary target IP address responded with: 421 4.3.2 Service not available")));
    DeliveryReport r = DeliveryReport.of(events);
    assertEquals("alice@contoso.test Pending", lines(r).get(0));
    assertEquals("451 4.4.0 Primary target IP address responded with: 421 4.3.2 Service not available",
        r.recipients().get(0).events().get(1).recipientStatus());
  }

  @Test
  void groupExpansionShowsTheMembersAfterTheGroup() {
    Envelope msg = envelope("nmid-g", "carol@contoso.test", "<g1@contoso.test>", "All hands");
    List<TrackingEvent> events = List.of(
        event("EX01", 0, msg, TrackingSource.SMTP, TrackingEventId.RECEIVE,
            List.of("Sales@contoso.test", "erin@fabrikam.test"), List.of()),
        at("EX01", 1).about(msg, TrackingSource.CATEGORIZER, TrackingEventId.EXPAND,
            List.of("alice@contoso.test", "bob@contoso.test"), List.of())
            .setRelatedRecipientAddress("Sales@contoso.test").build(),
        at("EX01", 1).about(msg, TrackingSource.CATEGORIZER, TrackingEventId.RESOLVE,
            List.of("bob.smith@contoso.test"), List.of()).setRelatedRecipientAddress("bob@contoso.test").build(),
        event("EX01", 2, msg, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER,
            List.of("alice@contoso.test", "bob.smith@contoso.test"), List.of("250 2.0.0 OK", "250 2.0.0 OK")),
        event("EX01", 3, msg, TrackingSource.SMTP, TrackingEventId.SEND, List.of("erin@fabrikam.test"),
            List.of("250 2.0.0 Ok: queued as 4AB1")));
    DeliveryReport r = DeliveryReport.of(events);
    assertEquals(List.of("Sales@contoso.test Expanded", "alice@contoso.test Delivered",
        "bob.smith@contoso.test Delivered", "erin@fabrikam.test Transferred"), lines(r));
    assertNull(r.recipients().get(0).expandedFrom());
    assertEquals("Sales@contoso.test", r.recipients().get(1).expandedFrom());
    assertEquals("Sales@contoso.test", r.recipients().get(2).expandedFrom());
    assertEquals(List.of("EX01 CATEGORIZER EXPAND"), steps(r.recipients().get(0)));
    assertEquals(List.of("EX01 CATEGORIZER EXPAND", "EX01 CATEGORIZER RESOLVE", "EX01 STOREDRIVER DELIVER"),
        steps(r.recipients().get(2)));
    assertEquals("bob@contoso.test", r.recipients().get(2).events().get(1).relatedRecipientAddress());
  }

  @Test
  void aMessageWhoseIdWasNotTrustedHasOneNetworkMessageIdPerServer() {
    Envelope second = envelope("nmid-2", "carol@contoso.test", "<m1@contoso.test>", "Q4 numbers");
    List<TrackingEvent> events = new ArrayList<>(relayedAcrossSites().subList(0, 3));
    events.add(event("EX02", 3, second, TrackingSource.SMTP, TrackingEventId.RECEIVE,
        List.of("alice@contoso.test"), List.of()));
    events.add(event("EX02", 4, second, TrackingSource.STOREDRIVER, TrackingEventId.DELIVER,
        List.of("alice@contoso.test"), List.of("250 2.0.0 OK")));
    DeliveryReport r = DeliveryReport.of(events);
    assertEquals(List.of("nmid-1", "nmid-2"), r.networkMessageIds());
    assertEquals("alice@contoso.test Delivered", lines(r).get(0));
  }

  @Test
  void queueEventsAreNotPartOfAReport() {
    List<TrackingEvent> events = new ArrayList<>(relayedAcrossSites());
    events.add(Events.queueState("EX01", 3, "SmartHost:relay", "Retry"));
    assertEquals(DeliveryReport.of(relayedAcrossSites()), DeliveryReport.of(events));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DeliveryReport.of(List.of(Events.queueState("EX01", 3, "SmartHost:relay", "Retry"))));
    assertEquals("no event of a message (only queue events, or none)", e.getMessage());
  }

  private static List<String> lines(DeliveryReport r) {
    return r.recipients().stream().map(x -> x.address() + " " + x.status().wording()).toList();
  }

  private static List<String> steps(DeliveryReport.Recipient r) {
    return r.events().stream().map(e -> e.server() + " " + e.source() + " " + e.eventId()).toList();
  }
}
