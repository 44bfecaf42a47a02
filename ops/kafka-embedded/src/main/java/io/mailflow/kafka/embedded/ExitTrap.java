package io.mailflow.kafka.embedded;

import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka from killing the JVM while a start is in progress on this thread. When its controller fails to start
 * (port taken, data dir locked by another process) Kafka's process-terminating fault handler halts the process;
 * embedded, that would take the whole mail server or test run down without a word. Armed, a halt or exit requested on
 * the starting thread is recorded and returns, so Kafka goes on to shut the controller down and rethrow the cause.
 * Other threads keep Kafka's behaviour (halt on fatal faults of a running broker): that is how Kafka protects its data.
 */
final class ExitTrap implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExitTrap.class);
    private static final ThreadLocal<ExitTrap> ARMED = new ThreadLocal<>();
    private static boolean installed;

    private boolean sprung;

    private ExitTrap() {
    }

    /** Arms the trap for the calling thread until {@link #close()}. */
    static ExitTrap arm() {
        install();
        ExitTrap trap = new ExitTrap();
        ARMED.set(trap);
        return trap;
    }

    /** Whether Kafka asked to end the process while the trap was armed: then the start has failed, whatever else. */
    boolean sprung() {
        return sprung;
    }

    @Override
    public void close() {
        ARMED.remove();
    }

    // Exit's procedures are JVM-wide; ours delegate to Kafka's defaults (Runtime.halt, System.exit) off the
    // starting thread, so installing them once and for good changes nothing for anyone else.
    private static synchronized void install() {
        if (!installed) {
            Exit.setHaltProcedure((status, message) -> {
                if (!caught("halt", status, message)) {
                    Runtime.getRuntime().halt(status);
                }
            });
            Exit.setExitProcedure((status, message) -> {
                if (!caught("exit", status, message)) {
                    System.exit(status);
                }
            });
            installed = true;
        }
    }

    private static boolean caught(String what, int status, String message) {
        ExitTrap trap = ARMED.get();
        if (trap == null) {
            return false;
        }
        trap.sprung = true;
        LOG.warn("Kafka asked to {} the JVM (status {}{}) while starting embedded; failing the start instead",
                what, status, message == null ? "" : ", " + message);
        return true;
    }
}
