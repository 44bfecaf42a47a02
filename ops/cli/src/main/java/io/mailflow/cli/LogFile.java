package io.mailflow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * LogFile - where `mailflow run` writes its log: {@code <data-dir>/mailflow.log}, appended to and rolled
 * ({@link RollingLogStream}), so the log of a run that crashed is still there after the restart.
 *
 * <p>`run` hosts a whole Kafka broker, whose start-up failures come with pages of stack traces; on the
 * terminal the operator sees the summary and one line per problem, and the detail is in the file.
 * Role processes keep logging to stderr, where container runtimes collect it. slf4j-simple reads its
 * settings once, at the first logger, so this runs before anything logs: it points slf4j-simple at
 * {@code System.err} and makes {@code System.err} the log file, keeping the terminal's stderr for the command's
 * own one-line errors ({@link #terminal()}). Each start writes one line marking it (time, version, pid).
 */
final class LogFile {
  static final String PROPERTY = "org.slf4j.simpleLogger.logFile";
  static final String FILE_NAME = "mailflow.log";

  private static volatile Path path;
  private static volatile PrintStream terminal;

  private LogFile() {}

  /** For `run`, points the log at the data dir given on the command line (or the default one). */
  static void configure(String[] args) {
    if (System.getProperty(PROPERTY) != null || args.length == 0 || !args[0].equals("run")) {
      return;
    }
    String dataDir = RunCommand.DEFAULT_DATA_DIR;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--data-dir") && i + 1 < args.length) {
        dataDir = args[i + 1];
      } else if (args[i].startsWith("--data-dir=")) {
        dataDir = args[i].substring("--data-dir=".length());
      }
    }
    Path file = Path.of(dataDir, FILE_NAME);
    try {
      Files.createDirectories(file.getParent());
      PrintStream log = new PrintStream(
          RollingLogStream.open(file, RollingLogStream.DEFAULT_MAX_BYTES, RollingLogStream.DEFAULT_KEEP), true,
          StandardCharsets.UTF_8);
      log.println(startLine(Instant.now(), ProcessHandle.current().pid()));
      terminal = System.err;
      System.setErr(log);
      System.setProperty(PROPERTY, "System.err"); // slf4j-simple then writes to System.err as it is at each line
      path = file;
    } catch (IOException | RuntimeException e) {
      // the command itself will say what is wrong with the data dir; log to stderr meanwhile
    }
  }

  /** startLine - the line that begins each run's part of the log, so runs (and restarts) can be told apart. */
  static String startLine(Instant now, long pid) {
    return now + " ==== mailflow " + Mailflow.VERSION + " starting, pid " + pid + " ====";
  }

  /** The log file, or null when this process logs to stderr. */
  static Path path() {
    return path;
  }

  /** Where the command's own errors go: the terminal's stderr, also when the log took over System.err. */
  static PrintWriter terminal() {
    return new PrintWriter(terminalStream(), true);
  }

  /** The terminal's stderr as a stream (for lines printed while stopping). */
  static PrintStream terminalStream() {
    return terminal != null ? terminal : System.err;
  }
}
