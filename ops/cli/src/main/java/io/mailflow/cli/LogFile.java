package io.mailflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * LogFile - where `mailflow run` writes its log: {@code <data-dir>/mailflow.log}.
 *
 * <p>`run` hosts a whole Kafka broker, whose start-up failures come with pages of stack traces; on the
 * terminal the operator sees the summary and one line per problem, and the detail is in the file.
 * Role processes keep logging to stderr, where container runtimes collect it. slf4j-simple reads its
 * settings once, at the first logger, so this runs before anything logs.
 */
final class LogFile {
  static final String PROPERTY = "org.slf4j.simpleLogger.logFile";

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
    Path file = Path.of(dataDir, "mailflow.log");
    try {
      Files.createDirectories(file.getParent());
      System.setProperty(PROPERTY, file.toString());
    } catch (IOException | RuntimeException e) {
      // the command itself will say what is wrong with the data dir; log to stderr meanwhile
    }
  }
}
