package io.mailflow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * CliRun - one `mailflow` command run in-process, as {@link Mailflow#main} runs it (same error handling),
 * with what it printed.
 */
record CliRun(int exit, String out, String err) {

  static CliRun mailflow(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Mailflow.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
