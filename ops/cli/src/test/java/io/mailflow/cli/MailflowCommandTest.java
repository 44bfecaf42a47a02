package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line itself: what a newcomer types first. */
class MailflowCommandTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void helpForACommandPrintsItsOptions() {
    String[] result = run("help", "run");
    assertEquals("0", result[0], result[2]);
    assertTrue(result[1].contains("--data-dir") && result[1].contains("--kafka-port"), result[1]);
  }

  @Test
  void everyDocumentedCommandExists() {
    for (String command : new String[] {"run", "broker", "edge", "categorizer", "routing", "delivery", "loadtest", "events",
        "route", "directory"}) {
      String[] result = run(command, "--help");
      assertEquals("0", result[0], command + ": " + result[2]);
    }
  }

  @Test
  void unknownOptionIsAUsageErrorNotAStackTrace() {
    String[] result = run("run", "--no-such-option");
    assertEquals("2", result[0]);
    assertTrue(result[2].contains("Unknown option: '--no-such-option'"), result[2]);
    assertTrue(!result[2].contains("\tat "), result[2]);
  }
}
