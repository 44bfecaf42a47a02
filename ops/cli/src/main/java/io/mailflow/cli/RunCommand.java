package io.mailflow.cli;

import io.mailflow.admin.AdminServerOptions;
import io.mailflow.kafka.DurableLogs;
import io.mailflow.kafka.LogFlusher;
import io.mailflow.kafka.embedded.EmbeddedKafka;
import io.mailflow.organization.Organization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** RunCommand - `mailflow run`: an embedded Kafka broker and every stage in one JVM. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run everything on this machine: embedded Kafka, SMTP edge, categorizer, routing, delivery.")
final class RunCommand implements Callable<Integer> {
  /** The embedded broker's port: beside Kafka's usual 9092 so a local Kafka is not disturbed. */
  static final int DEFAULT_KAFKA_PORT = 19092;
  static final String DEFAULT_DATA_DIR = "./mailflow-data";

  @Spec CommandSpec spec;

  @Mixin OrganizationOption organization;

  @Option(names = "--data-dir", defaultValue = DEFAULT_DATA_DIR,
      description = "Kafka logs, the mail store (unless --mail-store) and mailflow.log live here; a restart on the same dir loses nothing (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--kafka-port", defaultValue = "" + DEFAULT_KAFKA_PORT,
      description = "Port of the embedded Kafka broker on 127.0.0.1, 0 for any (default ${DEFAULT-VALUE})")
  int kafkaPort;

  @Option(names = "--admin-port", defaultValue = "" + AdminServerOptions.DEFAULT_RUN_PORT, paramLabel = "N",
      description = "Port of the admin server (health, /metrics, /api/v1), 0 for any (default ${DEFAULT-VALUE})")
  int adminPort;

  @Mixin AdminBindOption adminBind;

  @Mixin MailStoreOption mailStore;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Node.AdminListener admin = adminBind.listener(adminPort); // a bad --admin-bind is refused before anything starts
    Path store = mailStore.resolve(dataDir); // and so is a bad --mail-store
    Organization loaded = organization.load(); // a bad file is refused before anything starts
    // The rest of the organization's preparation runs while the broker starts (Running.start): the demo's password
    // hashes (PBKDF2, two of them on a fresh data dir) and the summary.
    java.util.function.Supplier<Organization> prepared = () -> {
      Organization org = loaded;
      DemoCredentials.Applied demo = null;
      if (organization.config == null) { // the built-in demo: passwords made at first start, kept in the data dir
        demo = DemoCredentials.apply(org, dataDir);
        org = demo.organization();
      }
      OrganizationSummary.print(org, organization.describeSource(), out);
      if (demo != null) {
        DemoCredentials.print(demo, out);
      }
      return org;
    };
    // The hook exists before anything starts: the edge greets while the rest still starts, and a stop then must
    // still close the broker cleanly (StartingRun waits for the start, then closes in order).
    StartingRun run = new StartingRun();
    try (ShutdownHook hook = ShutdownHook.closeOnExit(run)) {
      Running running;
      try {
        running = Running.start(prepared, dataDir, store, kafkaPort, admin, out, run::stopRequested);
      } catch (Node.StoppedWhileStarting e) {
        run.failed(); // what had started is closed: the hook's thread has nothing left to close
        return 0;
      } catch (RuntimeException e) {
        run.failed();
        throw e;
      }
      if (!run.started(running)) {
        return 0; // stopped while starting: the hook's thread closes it
      }
      out.println("mailflow is running; Ctrl-C stops it");
      out.flush();
      running.node.awaitShutdown();
    } finally {
      run.close();
    }
    return 0;
  }

  /** Everything `run` starts, closed in reverse order: stages first, the broker last. */
  static final class Running implements AutoCloseable {
    final EmbeddedKafka kafka;
    final Node node;
    /** The group-commit flusher every client of the embedded broker waits for; null when turned off. */
    final LogFlusher flusher;

    private Running(EmbeddedKafka kafka, Node node, LogFlusher flusher) {
      this.kafka = kafka;
      this.node = node;
      this.flusher = flusher;
    }

    /** As {@code run} does, with the admin server on any free loopback port (what tests use). */
    static Running start(Organization org, Path dataDir, int kafkaPort, PrintWriter out) {
      return start(org, dataDir, kafkaPort, new Node.AdminListener(null, 0), out);
    }

    static Running start(Organization org, Path dataDir, int kafkaPort, Node.AdminListener admin, PrintWriter out) {
      return start(org, dataDir, dataDir.resolve(MailStoreOption.DEFAULT_SUBDIR), kafkaPort, admin, out);
    }

    static Running start(Organization org, Path dataDir, Path mailStore, int kafkaPort, Node.AdminListener admin,
        PrintWriter out) {
      return start(() -> org, dataDir, mailStore, kafkaPort, admin, out);
    }

    /**
     * Starts the broker on its own thread and meanwhile, on this one, gets the organization from {@code organization}
     * (the demo's password hashes) and makes the edge's self-signed certificate if there is none (an RSA key: about a
     * second on a fresh data dir); then the stages. A failure of either side closes what the other started.
     */
    static Running start(java.util.function.Supplier<Organization> organization, Path dataDir, Path mailStore,
        int kafkaPort, Node.AdminListener admin, PrintWriter out) {
      return start(organization, dataDir, mailStore, kafkaPort, admin, out, () -> false);
    }

    /** As above; a stop asked meanwhile ({@code stopRequested}) closes what started and throws StoppedWhileStarting. */
    static Running start(java.util.function.Supplier<Organization> organization, Path dataDir, Path mailStore,
        int kafkaPort, Node.AdminListener admin, PrintWriter out, java.util.function.BooleanSupplier stopRequested) {
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new CliFailure("cannot create data dir " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
      }
      CompletableFuture<EmbeddedKafka> broker = new CompletableFuture<>();
      Thread starter = new Thread(() -> {
        try {
          broker.complete(EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort));
        } catch (Throwable e) {
          broker.completeExceptionally(e);
        }
      }, "mailflow-broker-start");
      starter.setDaemon(true);
      starter.start();
      Organization org;
      try {
        org = organization.get();
        SelfSignedCertificate.prepareForEdge(org, dataDir); // Node's edge then finds it (and says so)
      } catch (RuntimeException | Error e) {
        broker.thenAccept(EmbeddedKafka::close);
        awaitQuietly(broker);
        throw e;
      }
      EmbeddedKafka kafka = await(broker);
      out.printf("kafka         embedded broker at %s (logs in %s)%n", kafka.bootstrapServers(),
          dataDir.resolve("kafka").toAbsolutePath().normalize());
      if (LogFile.path() != null) {
        out.printf("log           %s (appended, rolled past 10 MB)%n", LogFile.path().toAbsolutePath().normalize());
      }
      // One broker has no replica: an acknowledged record is durable only once it is on disk. Registered before any
      // client exists, so every publisher and the edge's writer made for this broker wait for the flush.
      LogFlusher flusher = null;
      if (org.transportService().flushToDiskBeforeAcknowledge()) {
        flusher = new LogFlusher(kafka.logDirectory());
        DurableLogs.register(kafka.bootstrapServers(), flusher);
        out.println("durability    250 only once the message is on disk (group commit; "
            + "transportService.flushToDiskBeforeAcknowledge)");
      }
      out.flush();
      try {
        // One broker: replication above 1 cannot be met, whatever the organization file says.
        if (stopRequested.getAsBoolean()) {
          throw new Node.StoppedWhileStarting();
        }
        Node node = Node.start(kafka.bootstrapServers(), org, dataDir, mailStore, EnumSet.allOf(Role.class), out, (short) 1,
            admin, stopRequested);
        if (flusher != null) {
          flusher.bindTo(node.meters());
        }
        return new Running(kafka, node, flusher);
      } catch (RuntimeException e) {
        stopFlusher(kafka, flusher);
        kafka.close();
        throw e;
      }
    }

    /** The broker, once its start ended; its failure rethrown as is. */
    private static EmbeddedKafka await(CompletableFuture<EmbeddedKafka> broker) {
      try {
        return broker.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw new CliFailure(cause.getMessage(), cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        broker.thenAccept(EmbeddedKafka::close);
        throw new CliFailure("interrupted while the embedded broker started", e);
      }
    }

    private static void awaitQuietly(CompletableFuture<EmbeddedKafka> broker) {
      try {
        broker.get();
      } catch (ExecutionException e) {
        // the start failed: nothing to close
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static void stopFlusher(EmbeddedKafka kafka, LogFlusher flusher) {
      if (flusher != null) {
        DurableLogs.unregister(kafka.bootstrapServers());
        flusher.close();
      }
    }

    @Override
    public synchronized void close() {
      try {
        node.close();
      } finally {
        stopFlusher(kafka, flusher);
        kafka.close();
      }
    }
  }
}
