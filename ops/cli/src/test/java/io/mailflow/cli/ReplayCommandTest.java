package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `mailflow replay` refuses bad input with one clear line and a non-zero exit, before touching Kafka. */
class ReplayCommandTest {
  private record Outcome(int exit, String out, String err) {}

  private static Outcome mailflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  private static void assertOneLine(Outcome outcome, String... fragments) {
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
    Outcome outcome = mailflow("replay", "--from", "-1h", "--recipient", "a@contoso.test", "--domain", "contoso.test");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("mutually exclusive"), outcome.err());
  }

  @Test
  void fromIsRequired() {
    Outcome outcome = mailflow("replay", "--to", "now");
    assertEquals(2, outcome.exit());
    assertTrue(outcome.err().contains("Missing required option: '--from=TIME'"), outcome.err());
  }
}
