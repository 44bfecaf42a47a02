package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.core.DeliveryOutcome;
import io.mailflow.kafka.ControlView;
import io.mailflow.kafka.TrackingSource;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an admin's MESSAGE record decides for a copy before any agent sees it. */
class MessageControlTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final String QUEUE = "SmartHostConnectorDelivery:fabrikam.test";

  private final Map<String, ControlRecord> records = new HashMap<>();
  private final MessageControl control = new MessageControl(id -> Optional.ofNullable(records.get(id)));
  private final DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", NOW, 2,
      "bob@fabrikam.test", "carol@fabrikam.test");

  private void set(String state, String reason) {
    records.put(copy.getInternalMessageId(), ControlRecord.newBuilder().setKind(ControlKind.MESSAGE)
        .setTarget(copy.getInternalMessageId()).setState(state).setReason(reason).setSetBy("admin@ops1")
        .setSetAt(NOW).build());
  }

  private Optional<Attempted> decide() {
    return control.decide(copy, SourceContext.attempt(copy.getAttempt(), QUEUE));
  }

  @Test
  void noRecordActiveRetryOrAnUnknownStateLetTheCopyGoToItsAgent() {
    assertEquals(Optional.empty(), decide());
    for (String state : new String[] {"Active", "Retry", "Frozen", ControlView.CLEARED}) {
      set(state, null);
      assertEquals(Optional.empty(), decide(), state);
    }
  }

  @Test
  void aSuspendedCopyIsHeldLikeASuspendedQueueWithoutAnAttempt() {
    set("Suspended", "look at it first");
    Attempted held = decide().orElseThrow();

    assertFalse(held.attempted(), "a held copy keeps its attempt count");
    assertEquals(2, held.outcomes().size());
    for (DeliveryOutcome o : held.outcomes()) {
      assertInstanceOf(DeliveryOutcome.Transient.class, o);
      assertEquals("451 4.4.0 Message suspended by admin@ops1: look at it first", o.recipientStatus());
    }
    assertEquals("queued; next hop " + QUEUE + "; message suspended; no attempt", held.context().toString());
    assertFalse(held.failuresUnreported());
  }

  @Test
  void aSuspensionWithoutAReasonNamesOnlyWhoSetIt() {
    set("Suspended", null);
    assertEquals("451 4.4.0 Message suspended by admin@ops1", decide().orElseThrow().outcomes().get(0).recipientStatus());
  }

  @Test
  void removedWithNdrFailsEveryRecipientWithExchangesReplyFromSourceAdminAndReportsThem() {
    set("RemovedWithNDR", "spam run");
    Attempted removed = decide().orElseThrow();

    assertEquals(TrackingSource.ADMIN, removed.source());
    assertFalse(removed.attempted(), "no delivery attempt");
    assertEquals(2, removed.outcomes().size());
    for (DeliveryOutcome o : removed.outcomes()) {
      assertInstanceOf(DeliveryOutcome.Permanent.class, o);
      assertEquals("550 4.3.2 QUEUE.Admin; message deleted by administrative action", o.recipientStatus());
    }
    assertEquals("queued; next hop " + QUEUE + "; message deleted by administrative action by admin@ops1: spam run;"
        + " NDR to the sender; no attempt", removed.context().toString());
    assertFalse(removed.failuresUnreported(), "the sender gets an NDR");
    assertEquals(null, removed.remoteHost());
    assertEquals("Outbound", removed.connectorId());
  }

  @Test
  void removedWithoutNdrFailsTheSameWayButIsNotReported() {
    set("Removed", null);
    Attempted removed = decide().orElseThrow();

    assertEquals(TrackingSource.ADMIN, removed.source());
    assertInstanceOf(DeliveryOutcome.Permanent.class, removed.outcomes().get(0));
    assertEquals(MessageControl.REMOVED_TEXT, removed.outcomes().get(0).recipientStatus());
    assertTrue(removed.failuresUnreported(), "no NDR");
    assertTrue(removed.context().toString().contains("message deleted by administrative action by admin@ops1; no NDR"),
        removed.context().toString());
  }

  @Test
  void anActionOnAnotherCopyChangesNothing() {
    records.put("iid-other", ControlRecord.newBuilder().setKind(ControlKind.MESSAGE).setTarget("iid-other")
        .setState("Removed").setSetBy("admin@ops1").setSetAt(NOW).build());
    assertEquals(Optional.empty(), decide());
  }
}
