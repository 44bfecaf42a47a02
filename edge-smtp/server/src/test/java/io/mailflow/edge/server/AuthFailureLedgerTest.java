package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.ReceiveConnector.AuthFailureLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ledger's counting, expiry and bound, on a clock the test moves. */
class AuthFailureLedgerTest {
  private Instant now = Instant.parse("2026-12-07T18:00:00Z");
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  };
  private final AuthFailureLedger ledger =
      new AuthFailureLedger(new AuthFailureLimits(2, 4, Duration.ofMinutes(15)), 100, clock);

  @Test
  void failuresPastTheTarpitThresholdAreHeldAndPastTheRefusalThresholdTheAddressIsRefused() {
    assertFalse(ledger.failed("192.0.2.1", "alice@contoso.test").tarpit());
    assertFalse(ledger.failed("192.0.2.1", "ALICE@contoso.test").tarpit());
    AuthFailureLedger.Failure third = ledger.failed("192.0.2.1", "bob@contoso.test");
    assertEquals(new AuthFailureLedger.Failure(3, 1, true), third, "3 from the address, 1 on bob");
    assertEquals(Optional.empty(), ledger.refusal("192.0.2.1"));
    ledger.failed("192.0.2.1", "alice@contoso.test");
    assertEquals(Optional.of(Duration.ofMinutes(15)), ledger.refusal("192.0.2.1"));
    assertEquals(Optional.empty(), ledger.refusal("192.0.2.2"), "another address is not refused");
    AuthFailureLedger.Failure elsewhere = ledger.failed("192.0.2.2", "alice@contoso.test");
    assertEquals(new AuthFailureLedger.Failure(1, 4, true), elsewhere, "the account's failures are held everywhere");
  }

  @Test
  void anEntryIsForgottenAWindowAfterItsLastFailure() {
    for (int i = 0; i < 4; i++) {
      ledger.failed("192.0.2.1", "alice@contoso.test");
    }
    now = now.plus(Duration.ofMinutes(10));
    assertEquals(Optional.of(Duration.ofMinutes(5)), ledger.refusal("192.0.2.1"));
    now = now.plus(Duration.ofMinutes(5));
    assertEquals(Optional.empty(), ledger.refusal("192.0.2.1"));
    assertEquals(new AuthFailureLedger.Failure(1, 1, false), ledger.failed("192.0.2.1", "alice@contoso.test"),
        "counting starts over");
  }

  @Test
  void theLedgerKeepsAtMostItsCapacityAndABusyAddressSurvivesAFloodOfUserNames() {
    for (int i = 0; i < 1000; i++) {
      ledger.failed("192.0.2.9", "user" + i + "@contoso.test");
    }
    assertEquals(100, ledger.size());
    assertTrue(ledger.refusal("192.0.2.9").isPresent(), "touched on every failure: never the eldest");
  }

  @Test
  void zeroThresholdsNeverTarpitNorRefuse() {
    AuthFailureLedger off = new AuthFailureLedger(new AuthFailureLimits(0, 0, Duration.ofMinutes(1)), 10, clock);
    for (int i = 0; i < 20; i++) {
      assertFalse(off.failed("192.0.2.1", "alice@contoso.test").tarpit());
    }
    assertEquals(Optional.empty(), off.refusal("192.0.2.1"));
  }
}
