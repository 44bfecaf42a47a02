package io.mailflow.cli;

import static io.mailflow.cli.CliRun.mailflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** `mailflow replay` refuses bad input with one clear line and a non-zero exit, before touching Kafka. */
class ReplayCommandTest {
  private static void assertOneLine(CliRun outcome, String... fragments) {
    assertTrue(outcome.exit() != 0, "non-zero exit");
    assertEquals(1, outcome.err().lines().count(), "one line on stderr, got:\n" + outcome.err());
    for (String fragment : fragments) {
      assertTrue(outcome.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + outcome.err());
    }
    assertEquals("", outcome.out());
  }

  @Test
  void aTimeThatIsNotATimeIsOneLineNamingTheOption() {
    assertOneLine(mailflow("replay", "--from", "yesterday", "--to", "now"),
        "mailflow: --from 'yesterday' is not a time: use an ISO-8601 instant");
    assertOneLine(mailflow("replay", "--from", "-2h", "--to", "2026-11-31T10:00"), "--to '2026-11-31T10:00'");
  }

  @Test
  void fromAfterToIsOneLineWithBothInstants() {
    assertOneLine(mailflow("replay", "--from", "2026-11-22T10:00:00Z", "--to", "2026-11-22T09:00:00Z"),
        "mailflow: --from 2026-11-22T10:00:00Z is after --to 2026-11-22T09:00:00Z");
  }

  @Test
  void unreachableKafkaIsOneLineNamingTheAddress() {
    int closed = TestPorts.free();
    assertOneLine(mailflow("replay", "--from", "-1h", "--bootstrap", "127.0.0.1:" + closed, "--kafka-timeout", "2"),
        "mailflow: cannot reach Kafka at 127.0.0.1:" + closed);
  }

  @Test
  void twoFiltersAtOnceAreAUsageError() {
    CliRun outcome = mailflow("replay", "--from", "-1h", "--recipient", "a@contoso.test", "--domain", "contoso.test");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("mutually exclusive"), outcome.err());
  }

  @Test
  void aTimeOrAnOffsetRangeIsRequired() {
    CliRun outcome = mailflow("replay");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("give a time range (--from TIME [--to TIME]) or an offset range "
        + "(--partition P --from-offset A --to-offset B)"), outcome.err());
    CliRun toAlone = mailflow("replay", "--to", "now");
    assertEquals(2, toAlone.exit());
    assertTrue(toAlone.err().contains("--to needs --from"), toAlone.err());
  }

  @Test
  void timesAndOffsetsAtOnceAreAUsageError() {
    CliRun outcome = mailflow("replay", "--from", "-1h", "--partition", "0", "--from-offset", "1", "--to-offset", "2");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("--from/--to select by time and --partition/--from-offset/--to-offset by "
        + "offset: use one"), outcome.err());
  }

  @Test
  void anIncompleteOffsetRangeIsAUsageError() {
    CliRun outcome = mailflow("replay", "--partition", "0", "--from-offset", "5");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("--partition, --from-offset and --to-offset go together"), outcome.err());
  }

  @Test
  void fromOffsetAfterToOffsetIsOneLine() {
    assertOneLine(mailflow("replay", "--partition", "0", "--from-offset", "9", "--to-offset", "3"),
        "mailflow: --from-offset 9 is after --to-offset 3: nothing to replay");
    assertOneLine(mailflow("replay", "--partition", "-1", "--from-offset", "0", "--to-offset", "3"),
        "mailflow: --partition, --from-offset and --to-offset must not be negative");
  }

  @Test
  void aNextHopFilterOnTheSubmissionTopicIsAUsageError() {
    CliRun outcome = mailflow("replay", "--topic", "submission", "--from", "-1h", "--next-hop", "X");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("--next-hop selects a delivery queue; mail.submission.v1 has no next hop"),
        outcome.err());
  }

  @Test
  void anUnknownTopicIsAUsageErrorListingTheChoices() {
    CliRun outcome = mailflow("replay", "--topic", "bodies", "--from", "-1h");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("delivery, submission"), outcome.err());
  }
}
