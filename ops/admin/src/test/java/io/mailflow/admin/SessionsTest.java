package io.mailflow.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.Administrator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Sessions on a hand-moved clock: idle and absolute timeouts, the refresh that is not activity, logout, CSRF. */
class SessionsTest {
  private static final Administrator ALICE = new Administrator("alice", "unused",
      Administrator.Role.OrganizationManagement);
  private Instant now = Instant.parse("2026-12-07T12:00:00Z");
  private final Sessions sessions = new Sessions(new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  });

  @Test
  void aSessionHasItsOwnRandomIdAndCsrfToken() {
    Sessions.Session a = sessions.create(ALICE);
    Sessions.Session b = sessions.create(ALICE);
    assertNotEquals(a.id(), b.id());
    assertNotEquals(a.csrfToken(), b.csrfToken());
    assertNotEquals(a.id(), a.csrfToken());
    assertTrue(a.id().matches("[A-Za-z0-9_-]{43}"), a.id());
    assertEquals("alice", sessions.find(a.id(), true).orElseThrow().administrator().name());
    assertTrue(sessions.find("not-a-session", true).isEmpty());
    assertTrue(sessions.find("", true).isEmpty());
  }

  @Test
  void itEndsAfterTwentyIdleMinutesAndActivityRestartsTheTimer() {
    Sessions.Session s = sessions.create(ALICE);
    now = now.plus(Duration.ofMinutes(19));
    assertTrue(sessions.find(s.id(), true).isPresent(), "19 min idle: alive, and this request is activity");
    now = now.plus(Duration.ofMinutes(19));
    assertTrue(sessions.find(s.id(), true).isPresent(), "19 min after the last activity");
    now = now.plus(Sessions.IDLE);
    assertTrue(sessions.find(s.id(), true).isEmpty(), "20 min idle: ended");
    assertEquals(0, sessions.size(), "and forgotten");
  }

  @Test
  void theConsolesOwnRefreshDoesNotKeepAnUnattendedSessionAlive() {
    Sessions.Session s = sessions.create(ALICE);
    for (int i = 0; i < 19; i++) {
      now = now.plus(Duration.ofMinutes(1));
      assertTrue(sessions.find(s.id(), false).isPresent());
    }
    now = now.plus(Duration.ofMinutes(1));
    assertTrue(sessions.find(s.id(), false).isEmpty(), "refreshes every minute for 20 min: still idle, ended");
  }

  @Test
  void itEndsAfterEightHoursHoweverBusy() {
    Sessions.Session s = sessions.create(ALICE);
    for (int i = 0; i < 8 * 6 - 1; i++) {
      now = now.plus(Duration.ofMinutes(10));
      assertTrue(sessions.find(s.id(), true).isPresent(), "busy at " + now);
    }
    now = now.plus(Duration.ofMinutes(10));
    assertTrue(sessions.find(s.id(), true).isEmpty(), "8 h after login: ended");
  }

  @Test
  void logoutEndsIt() {
    Sessions.Session s = sessions.create(ALICE);
    sessions.end(s.id());
    assertTrue(sessions.find(s.id(), true).isEmpty());
  }

  @Test
  void theCsrfTokenMustMatchExactly() {
    Sessions.Session s = sessions.create(ALICE);
    assertTrue(Sessions.csrfMatches(s, s.csrfToken()));
    assertFalse(Sessions.csrfMatches(s, null));
    assertFalse(Sessions.csrfMatches(s, ""));
    assertFalse(Sessions.csrfMatches(s, s.csrfToken() + "x"));
    assertFalse(Sessions.csrfMatches(s, sessions.create(ALICE).csrfToken()), "another session's token");
  }

  @Test
  void theTableIsBounded() {
    Sessions.Session first = sessions.create(ALICE);
    for (int i = 1; i < Sessions.MAX_SESSIONS + 5; i++) {
      now = now.plusMillis(1);
      sessions.create(ALICE);
    }
    assertTrue(sessions.size() <= Sessions.MAX_SESSIONS, "size " + sessions.size());
    assertTrue(sessions.find(first.id(), false).isEmpty(), "the oldest went first");
  }
}
