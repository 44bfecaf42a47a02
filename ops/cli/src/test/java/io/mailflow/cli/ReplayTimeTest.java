package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReplayTimeTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  private static final Clock CLOCK = Clock.fixed(NOW, PARIS);

  private static Instant parse(String text) {
    return ReplayTime.parse("--from", text, CLOCK, PARIS);
  }

  @Test
  void isoInstantsAndOffsetDateTimesAreTakenAsWritten() {
    assertEquals(Instant.parse("2026-11-22T10:00:00Z"), parse("2026-11-22T10:00:00Z"));
    assertEquals(Instant.parse("2026-11-22T10:00:00.250Z"), parse("2026-11-22T10:00:00.250Z"));
    assertEquals(Instant.parse("2026-11-22T09:00:00Z"), parse("2026-11-22T10:00:00+01:00"));
  }

  @Test
  void localDateTimesAndDatesAreInTheMachinesZone() {
    assertEquals(Instant.parse("2026-11-22T09:30:00Z"), parse("2026-11-22T10:30"));
    assertEquals(Instant.parse("2026-11-22T09:30:15Z"), parse("2026-11-22 10:30:15"));
    assertEquals(Instant.parse("2026-11-21T23:00:00Z"), parse("2026-11-22"));
  }

  @Test
  void relativeTimesCountBackFromNow() {
    assertEquals(NOW, parse("now"));
    assertEquals(NOW.minusSeconds(90), parse("-90s"));
    assertEquals(NOW.minusSeconds(30 * 60), parse("-30m"));
    assertEquals(NOW.minusSeconds(2 * 3600), parse("-2h"));
    assertEquals(NOW.minusSeconds(86400), parse("-1d"));
    assertEquals(NOW, ReplayTime.parse("--to", "now", Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC));
  }

  @Test
  void anythingElseIsRefusedNamingTheOptionTheTextAndTheForms() {
    for (String bad : new String[] {"yesterday", "-2w", "2h", "2026-13-01T00:00", ""}) {
      CliFailure e = assertThrows(CliFailure.class, () -> ReplayTime.parse("--to", bad, CLOCK, PARIS), bad);
      assertTrue(e.getMessage().startsWith("--to '" + bad + "' is not a time: use an ISO-8601 instant"),
          e.getMessage());
    }
  }
}
