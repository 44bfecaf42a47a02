package io.mailflow.cli;

/**
 * ShutdownHook - closes what a command started when the JVM is asked to stop (SIGTERM, Ctrl-C).
 *
 * <p>The whole close runs inside the hook: the JVM halts as soon as its hooks return, so anything left
 * for the main thread (the embedded broker's clean shutdown) would be cut off.
 */
final class ShutdownHook implements AutoCloseable {
  private final Thread hook;

  private ShutdownHook(AutoCloseable resource) {
    this.hook = new Thread(() -> {
      try {
        resource.close();
      } catch (Exception e) {
        LogFile.terminalStream().println("mailflow: while stopping: " + e.getMessage());
      }
    }, "mailflow-shutdown");
  }

  static ShutdownHook closeOnExit(AutoCloseable resource) {
    ShutdownHook shutdownHook = new ShutdownHook(resource);
    Runtime.getRuntime().addShutdownHook(shutdownHook.hook);
    return shutdownHook;
  }

  /** The command ended by itself: no hook needed any more. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyStopping) {
      // the hook is running or has run
    }
  }
}
