package io.mailflow.dsn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.smtp.Notify;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DsnPolicyTest {

  private static final String SENDER = "alice@fabrikam.test";
  private static final Set<Notify> NONE = Set.of();

  @Test
  void nullSenderNeverGetsADsnWhateverNotifySays() {
    for (DsnAction action : DsnAction.values()) {
      assertFalse(DsnPolicy.allows("", Set.of(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY), action));
      assertFalse(DsnPolicy.allows("", NONE, action));
      assertFalse(DsnPolicy.allows(null, NONE, action));
    }
  }

  @Test
  void notifyNeverSuppressesEveryDsn() {
    for (DsnAction action : DsnAction.values()) {
      assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.NEVER), action));
    }
  }

  @Test
  void noNotifyMeansFailureAndDelayButNotSuccess() {
    assertTrue(DsnPolicy.allows(SENDER, NONE, DsnAction.FAILED));
    assertTrue(DsnPolicy.allows(SENDER, NONE, DsnAction.DELAYED));
    assertFalse(DsnPolicy.allows(SENDER, NONE, DsnAction.DELIVERED));
  }

  @Test
  void notifyWithoutFailureGetsNoFailureDsn() {
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.SUCCESS), DsnAction.FAILED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.DELAY), DsnAction.FAILED));
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.FAILURE), DsnAction.FAILED));
  }

  @Test
  void notifySuccessAllowsADeliveredDsn() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.SUCCESS), DsnAction.DELIVERED));
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.SUCCESS, Notify.FAILURE), DsnAction.DELIVERED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.FAILURE), DsnAction.DELIVERED));
  }

  @Test
  void aRelayedDsnLikeADeliveredOneNeedsNotifySuccess() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.SUCCESS), DsnAction.RELAYED));
    assertFalse(DsnPolicy.allows(SENDER, NONE, DsnAction.RELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.FAILURE, Notify.DELAY), DsnAction.RELAYED));
  }

  @Test
  void delayDsnNeedsDelayWhenNotifyIsGiven() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.DELAY), DsnAction.DELAYED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.FAILURE), DsnAction.DELAYED));
  }

  @Test
  void missingNotifyOrActionIsAnError() {
    assertThrows(NullPointerException.class, () -> DsnPolicy.allows(SENDER, (Set<Notify>) null, DsnAction.FAILED));
    assertThrows(NullPointerException.class, () -> DsnPolicy.allows(SENDER, NONE, null));
  }

  @Test
  void anExpandedGroupIsReportedOnlyWhenSuccessWasAsked() {
    assertTrue(DsnPolicy.allows(SENDER, Set.of(Notify.SUCCESS), DsnAction.EXPANDED));
    assertFalse(DsnPolicy.allows(SENDER, NONE, DsnAction.EXPANDED));
    assertFalse(DsnPolicy.allows(SENDER, Set.of(Notify.FAILURE, Notify.DELAY), DsnAction.EXPANDED));
  }

  @Test
  void notifyAsAListTheCategorizerKeepsReadsTheSameRule() {
    assertFalse(DsnPolicy.allows(SENDER, List.of(Notify.NEVER), DsnAction.FAILED));
    assertTrue(DsnPolicy.allows(SENDER, List.of(Notify.SUCCESS), DsnAction.EXPANDED));
    assertFalse(DsnPolicy.allows(SENDER, List.of(Notify.FAILURE), DsnAction.DELAYED));
    assertTrue(DsnPolicy.allows(SENDER, List.<Notify>of(), DsnAction.FAILED));
  }
}
