package io.mailflow.delivery.agent;

import static io.mailflow.delivery.agent.DeliveryItems.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.delivery.agent.RetryForwarder.Release;
import io.mailflow.schemas.avro.ControlKind;
import io.mailflow.schemas.avro.ControlRecord;
import io.mailflow.schemas.avro.DeliveryItem;
import io.mailflow.schemas.avro.DeliveryType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which admin records bring waiting copies back from the delay topics early, and which copies. */
class RetryReleaseTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final String QUEUE = "SmartHostConnectorDelivery:fabrikam.test";

  private static ControlRecord record(ControlKind kind, String target, String state) {
    return ControlRecord.newBuilder().setKind(kind).setTarget(target).setState(state).setSetBy("admin@ops1")
        .setSetAt(NOW).build();
  }

  @Test
  void aQueuesRetryNowReleasesTheQueueOnly() {
    assertEquals(Optional.of(Release.queue(QUEUE)), Release.of(record(ControlKind.QUEUE, QUEUE, "Retry")));
    assertEquals(Optional.empty(), Release.of(record(ControlKind.QUEUE, QUEUE, "Suspended")));
    assertEquals(Optional.empty(), Release.of(record(ControlKind.QUEUE, QUEUE, "Active")));
    assertEquals(Optional.empty(), Release.of(record(ControlKind.SITE, "Default-Site", "Down")));
  }

  @Test
  void everyMessageActionButSuspendReleasesThatCopy() {
    for (String state : new String[] {"Retry", "Active", "Removed", "RemovedWithNDR"}) {
      assertEquals(Optional.of(Release.message("iid-1")), Release.of(record(ControlKind.MESSAGE, "iid-1", state)),
          state);
    }
    assertEquals(Optional.empty(), Release.of(record(ControlKind.MESSAGE, "iid-1", "Suspended")),
        "a suspended copy would only be held again");
    assertEquals(Optional.empty(), Release.of(record(ControlKind.MESSAGE, "iid-1", "Cleared")));
  }

  @Test
  void aQueueReleaseMatchesByKeyAMessageReleaseByInternalMessageId() {
    DeliveryItem copy = item(DeliveryType.SmartHostConnectorDelivery, "fabrikam.test", "Outbound", NOW, 1,
        "bob@fabrikam.test"); // internal message id iid-1

    assertTrue(Release.anyOf(List.of(Release.queue(QUEUE))).test(QUEUE, copy));
    assertFalse(Release.anyOf(List.of(Release.queue(QUEUE))).test("SmartHostConnectorDelivery:other.test", copy));
    assertTrue(Release.anyOf(List.of(Release.message("iid-2"), Release.message("iid-1"))).test("any key", copy));
    assertFalse(Release.anyOf(List.of(Release.message("iid-2"), Release.queue("other"))).test(QUEUE, copy));
    assertFalse(Release.anyOf(List.of(Release.message(QUEUE))).test(QUEUE, copy), "a message id is not a queue");
  }

  @Test
  void onlyQueuesAndMessagesAreReleased() {
    assertThrows(IllegalArgumentException.class, () -> new Release(ControlKind.SITE, "Default-Site"));
  }
}
