package io.mailflow.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * ProcessMeters - the JVM and the process, as Micrometer's binders name them: heap and non-heap memory by pool
 * ({@code jvm_memory_used_bytes}), GC pauses ({@code jvm_gc_pause_seconds}), threads, classes loaded, process and
 * system CPU, open file descriptors, uptime. Bound once per process by {@link Node}.
 */
final class ProcessMeters {
  private ProcessMeters() {}

  /** Binds them all; closing the result stops the GC listener. */
  static AutoCloseable bind(MeterRegistry meters) {
    new JvmMemoryMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    return gc;
  }
}
