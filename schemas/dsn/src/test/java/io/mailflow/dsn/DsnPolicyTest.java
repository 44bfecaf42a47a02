package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class DsnPolicyTest {

  private static final String SENDER = "alice@fabrikam.test";

  @Test
  void nullSenderNeverGetsADsnWhateverNotifySays() {
    for (DsnAction action : DsnAction.values()) {
      assertFalse(DsnPolicy.allows("", Set.of(NotifyOn.SUCCESS, NotifyOn.FAILURE, NotifyOn.DELAY), action));
      assertFalse(DsnPolicy.allows("", Set.of(), action));
      assertFalse(DsnPolicy.allows(null, Set.of(), action));
    }
  }

  @Test
  void notifyNeverSuppressesEveryDsn() {
    for (DsnAction action : DsnAction.values()) {
      assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.NEVER), action));
    }
  }

  @Test
  void noNotifyMeansFailureAndDelayButNotSuccess() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(), DsnAction.FAILED));
    assertTrue(DsnPolicy.allows(SENDER, Set.of(), DsnAction.DELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(), DsnAction.DELIVERED));
  }

  @Test
  void notifyWithoutFailureGetsNoFailureDsn() {
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.SUCCESS), DsnAction.FAILED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.DELAY), DsnAction.FAILED));
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.FAILURE), DsnAction.FAILED));
  }

  @Test
  void notifySuccessAllowsADeliveredDsn() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.SUCCESS), DsnAction.DELIVERED));
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.SUCCESS, NotifyOn.FAILURE), DsnAction.DELIVERED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.FAILURE), DsnAction.DELIVERED));
  }

  @Test
  void aRelayedDsnLikeADeliveredOneNeedsNotifySuccess() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.SUCCESS), DsnAction.RELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(), DsnAction.RELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.FAILURE, NotifyOn.DELAY), DsnAction.RELAYED));
  }

  @Test
  void delayDsnNeedsDelayWhenNotifyIsGiven() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.DELAY), DsnAction.DELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.FAILURE), DsnAction.DELAYED));
  }

  @Test
  void missingNotifyOrActionIsAnError() {
    assertThrows(NullPointerException.class, () -> DsnPolicy.allows(SENDER, null, DsnAction.FAILED));
    assertThrows(NullPointerException.class, () -> DsnPolicy.allows(SENDER, Set.of(), null));
  }

  @Test
  void anExpandedGroupIsReportedOnlyWhenSuccessWasAsked() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(NotifyOn.SUCCESS), DsnAction.EXPANDED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(), DsnAction.EXPANDED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(NotifyOn.FAILURE, NotifyOn.DELAY), DsnAction.EXPANDED));
  }
}
