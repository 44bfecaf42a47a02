package io.mailflow.cli;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Launcher - the jar's main class: re-executes the same {@code java} with the JVM options `mailflow` wants (its
 * class-data archive, heap defaults), since Java 17 cannot take JVM options from a jar's manifest.
 *
 * <p>{@code java -jar mailflow.jar ...} starts this class with the user's plain JVM; when the relaunch applies it
 * starts {@code <same java> <options> -Dmailflow.relaunched=true -jar mailflow.jar ...} with the same arguments and
 * inherited stdin/stdout/stderr, waits for it and exits with its exit code. A SIGTERM or Ctrl-C to this process
 * stops the child the same way (SIGTERM) and waits for it to finish stopping; the child in turn stops itself when
 * this process disappears (kill -9 of the launcher), so no orphan keeps the data dir.
 *
 * <p>No relaunch (the command runs in this JVM, {@link Mailflow#main}) when: {@value #NO_RELAUNCH_ENV} is set to
 * anything but 0; the JVM was given options other than {@code -D...} (the user chose the JVM's options: theirs
 * stand alone); the classes do not come from a jar; or this already is the relaunched JVM.
 *
 * <p>The archive ({@value #ARCHIVE}, next to the jar) is made at package time by {@link ArchiveTraining}. It is
 * used only when it is not older than the jar; the JVM itself also refuses an archive made for another jar (it
 * checks the jar's size and time), silently: a missing or stale archive costs start-up time, never the start.
 */
public final class Launcher {
  /** Set to anything but 0 to run in the JVM {@code java} started, with its own defaults. */
  static final String NO_RELAUNCH_ENV = "MAILFLOW_NO_RELAUNCH";
  /** The class-data archive's file name, in the jar's directory. */
  static final String ARCHIVE = "mailflow.jsa";
  /** Set in the relaunched JVM: it must not relaunch again, and it watches its launcher. */
  static final String RELAUNCHED_PROPERTY = "mailflow.relaunched";
  /** The longest the launcher waits for the child to stop after a SIGTERM (the child bounds its own stop). */
  static final long STOP_WAIT_SECONDS = 90;
  /** The heap's upper bound is half the machine's memory, within these (bytes). */
  static final long MIN_HEAP = 256L << 20;
  static final long MAX_HEAP = 1024L << 20;

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    Optional<List<String>> command = relaunch(args, System.getenv(),
        ManagementFactory.getRuntimeMXBean().getInputArguments(), jar(), javaCommand(), physicalMemory());
    if (command.isEmpty()) {
      if (Boolean.getBoolean(RELAUNCHED_PROPERTY)) {
        stopWithLauncher();
      }
      Mailflow.main(args);
      return;
    }
    System.exit(run(command.get()));
  }

  /**
   * The child's command line, or empty when this JVM runs the command itself.
   *
   * @param jvmArgs the options this JVM was started with (RuntimeMXBean's input arguments)
   * @param jar the jar this class was loaded from, or null
   * @param java the {@code java} executable of this JVM
   * @param memory the machine's physical memory in bytes, or 0 when unknown
   */
  static Optional<List<String>> relaunch(String[] args, Map<String, String> env, List<String> jvmArgs, Path jar,
      String java, long memory) {
    String off = env.get(NO_RELAUNCH_ENV);
    if (off != null && !off.isBlank() && !off.strip().equals("0")) {
      return Optional.empty();
    }
    if (jar == null || java == null || jvmArgs.stream().anyMatch(a -> a.contains(RELAUNCHED_PROPERTY))) {
      return Optional.empty();
    }
    if (!jvmArgs.stream().allMatch(a -> a.startsWith("-D"))) {
      return Optional.empty(); // the user chose the JVM's options (or a tool did, e.g. a debugger's agent)
    }
    List<String> command = new ArrayList<>();
    command.add(java);
    Path archive = jar.resolveSibling(ARCHIVE);
    if (fresh(archive, jar)) {
      command.add("-XX:SharedArchiveFile=" + archive);
      // a jar rebuilt since (another size or time) makes the JVM refuse the archive: no message about it, the start
      // goes on without
      command.add("-Xlog:cds=off");
      command.add("-Xlog:cds+dynamic=off");
    }
    command.addAll(heapDefaults(memory));
    command.addAll(jvmArgs); // the user's -D options
    command.add("-D" + RELAUNCHED_PROPERTY + "=true");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return Optional.of(command);
  }

  /**
   * Heap defaults for a small VM: at most half the memory, between 256 MB and 1 GB (the embedded broker, the stages
   * and a few large messages in flight fit in 512 MB; see README "What a small VM needs"). The collector stays the
   * JVM's choice (G1 with 2 cores and 2 GB or more, Serial below).
   */
  static List<String> heapDefaults(long memory) {
    long max = memory <= 0 ? MAX_HEAP : Math.max(MIN_HEAP, Math.min(MAX_HEAP, memory / 2));
    return List.of("-Xmx" + (max >> 20) + "m");
  }

  private static boolean fresh(Path archive, Path jar) {
    try {
      return Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Runs the child to its end and returns its exit code; a stop of this process stops the child first. */
  static int run(List<String> command) throws Exception {
    Process child = new ProcessBuilder(command).inheritIO().start();
    Thread hook = new Thread(() -> {
      if (child.isAlive()) {
        child.destroy(); // SIGTERM: the child's own hook stops the node cleanly
        try {
          if (!child.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            child.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "mailflow-launcher-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    return child.waitFor();
  }

  /** In the relaunched JVM: when the launcher is gone (kill -9), stop as after a SIGTERM. */
  private static void stopWithLauncher() {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.err.println("mailflow: the launcher process " + parent.pid() + " is gone; stopping");
      System.exit(143);
    }));
  }

  /** The jar holding this class, or null when the classes come from a directory (an IDE, the tests). */
  private static Path jar() {
    try {
      var source = Launcher.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path path = Path.of(source.getLocation().toURI()).toAbsolutePath();
      return Files.isRegularFile(path) && path.toString().endsWith(".jar") ? path : null;
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static long physicalMemory() {
    try {
      var os = ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
    } catch (RuntimeException | LinkageError e) {
      return 0;
    }
  }
}
