package io.mailflow.cli;

import io.mailflow.kafka.DurableLogs;
import io.mailflow.kafka.LogFlusher;
import io.mailflow.organization.Organization;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * BrokerDataDirOption - {@code --broker-data-dir DIR} of the role commands: the data dir of a single-node
 * {@code mailflow broker} on this machine, whose partition files this process flushes to disk (group commit, the
 * {@link LogFlusher} {@code run} uses for its embedded broker) before the edge answers 250 and before a stage commits
 * its input. Without it a role process trusts replication; one node with replication 1 then acknowledges mail that
 * is only in the page cache.
 *
 * <p>Why it works across processes: fsync flushes a file's dirty pages whoever wrote them, and by the time the broker
 * acknowledges a record its bytes are in the file (the page cache is shared by every process of the machine).
 * It needs the same machine and read access to the broker's files; another machine's role processes cannot use it.
 */
final class BrokerDataDirOption {
  /** Where a broker's data dir keeps the partitions (ops/kafka-embedded DataDirectory: {@code logs/}). */
  static final String LOGS_SUBDIR = "logs";
  private static final String META_PROPERTIES = "meta.properties";

  @Option(names = "--broker-data-dir", paramLabel = "DIR",
      description = "The --data-dir of a single-node `mailflow broker` on this machine: wait until its partition "
          + "files are on disk before a 250 and before a stage commits, as `run` does (replication 1 has no other "
          + "copy); turned off by transportService.flushToDiskBeforeAcknowledge: false. Default: none (trust "
          + "replication)")
  Path dataDir;

  /**
   * The broker's partition directory, checked: refused with one line naming the option when it is not a directory
   * or holds no {@code logs/meta.properties} (not a broker's data dir, or one never started). Null without the option.
   */
  Path logDirectory() {
    if (dataDir == null) {
      return null;
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new CliFailure("--broker-data-dir " + dir + " is not a directory (give the --data-dir of the running "
          + "`mailflow broker`)");
    }
    Path logs = dir.resolve(LOGS_SUBDIR);
    if (!Files.isRegularFile(logs.resolve(META_PROPERTIES))) {
      throw new CliFailure("--broker-data-dir " + dir + " is not a Kafka broker's data dir: no " + LOGS_SUBDIR + "/"
          + META_PROPERTIES + " (give the --data-dir of the running `mailflow broker`, after it started once)");
    }
    if (!Files.isReadable(logs)) {
      throw new CliFailure("--broker-data-dir " + dir + ": " + logs + " is not readable by this user");
    }
    return logs;
  }

  /**
   * With the option and the organization's {@code flushToDiskBeforeAcknowledge}: a flusher of the broker's logs,
   * registered for {@code bootstrap} so that every client this process makes for it waits for the flush (call before
   * any client exists); close it after the node. Null when there is nothing to flush.
   */
  LogFlusher register(String bootstrap, Organization org, PrintWriter out) {
    Path logs = logDirectory();
    if (logs == null) {
      return null;
    }
    if (!org.transportService().flushToDiskBeforeAcknowledge()) {
      out.println("durability    not flushing " + logs + ": transportService.flushToDiskBeforeAcknowledge is false");
      return null;
    }
    LogFlusher flusher = new LogFlusher(logs);
    DurableLogs.register(bootstrap, flusher);
    out.println("durability    250 and stage commits only once the broker's files in " + logs + " are on disk "
        + "(group commit; transportService.flushToDiskBeforeAcknowledge)");
    return flusher;
  }

  /** Undoes {@link #register}. */
  static void unregister(String bootstrap, LogFlusher flusher) {
    if (flusher != null) {
      DurableLogs.unregister(bootstrap);
      flusher.close();
    }
  }
}
