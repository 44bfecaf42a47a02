package io.mailflow.edge.server;

import io.mailflow.organization.BackPressureSettings;
import io.mailflow.organization.PressureTransitions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BackPressure - Exchange's back pressure for this node: reads each resource every ResourceMeteringInterval on
 * two threads of its own (a disk, the heap, Kafka: never on an event loop), moves each resource's level with hysteresis
 * ({@link ResourceMeter}), and publishes the overall level (the highest) as one immutable {@link Status} that
 * the edge reads at every MAIL FROM with a single volatile read. Level changes are logged as Exchange's events
 * 15004 / 15005 are; every resource has a level and a value gauge.
 *
 * <p>Does not refuse anything itself: {@link EdgeSessionHooks#mailFrom} does, from {@link #status()}.
 */
public final class BackPressure implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackPressure.class);
  /** A back pressure that never reads anything and is always Low (enableResourceMonitoring: false, and tests). */
  public static final BackPressure OFF = new BackPressure();

  /** Reads a resource's value now; may block briefly (it runs on the monitor's threads). */
  @FunctionalInterface
  public interface ResourceReader {
    long read() throws Exception;
  }

  /**
   * One watched resource.
   *
   * @param resource Exchange's name, with the watched path or queue in brackets, e.g.
   *     {@code DatabaseUsedSpace[/var/lib/mailflow]}
   * @param tag the name in the {@code resource} tag of the gauges (no path: it is the same on every node)
   * @param unit {@code %} or empty
   */
  public record Source(String resource, String tag, String unit, PressureTransitions transitions,
      ResourceReader reader) {}

  /** One resource as last read: its level, its value (-1 before the first reading), why it could not be read. */
  public record Reading(String resource, PressureLevel level, long value, String unit, PressureTransitions transitions,
      String unreadable) {
    /** As Exchange's event 15006 lists a resource: {@code DatabaseUsedSpace[/data] = 97% [High] [LowToMedium=96% ...]}. */
    public String describe() {
      String u = unit;
      return resource + " = " + (value < 0 ? "unknown" : value + u) + " [" + level + "] [LowToMedium="
          + transitions.lowToMedium() + u + " MediumToHigh=" + transitions.mediumToHigh() + u + " HighToMedium="
          + transitions.highToMedium() + u + " MediumToLow=" + transitions.mediumToLow() + u + "]"
          + (unreadable == null ? "" : " (not read: " + unreadable + ")");
    }
  }

  /** The node's back pressure at one moment: the highest level of any resource, and every resource. */
  public record Status(PressureLevel level, List<Reading> readings) {
    public Status {
      readings = List.copyOf(readings);
    }

    /** The resources at the overall level when it is above Low (why mail is refused); empty at Low. */
    public String why() {
      return level == PressureLevel.Low ? "" : readings.stream().filter(r -> r.level() == level)
          .map(Reading::describe).collect(Collectors.joining("; "));
    }

    /** Every resource, described. */
    public String describe() {
      return readings.isEmpty() ? "resource monitoring off (enableResourceMonitoring: false)"
          : readings.stream().map(Reading::describe).collect(Collectors.joining("; "));
    }
  }

  private final List<Source> sources;
  private final List<ResourceMeter> meters;
  private final List<AutoCloseable> owned;
  private final ScheduledExecutorService thread;
  private volatile Status status;

  private BackPressure() {
    this.sources = List.of();
    this.meters = List.of();
    this.owned = List.of();
    this.thread = null;
    this.status = new Status(PressureLevel.Low, List.of());
  }

  private BackPressure(List<Source> sources, List<AutoCloseable> owned, MeterRegistry registry) {
    this.sources = List.copyOf(sources);
    this.meters = new ArrayList<>();
    for (Source source : sources) {
      meters.add(new ResourceMeter(source.resource(), source.unit(), source.transitions()));
    }
    this.owned = List.copyOf(owned);
    this.thread = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "mailflow-back-pressure");
      t.setDaemon(true);
      return t;
    });
    this.status = snapshot();
    for (int i = 0; i < sources.size(); i++) {
      int index = i;
      String tag = sources.get(i).tag();
      Gauge.builder("mailflow.backpressure.level", this, b -> b.status.readings().get(index).level().ordinal())
          .tag("resource", tag).description("Back pressure level of the resource: 0 Low, 1 Medium, 2 High")
          .register(registry);
      Gauge.builder("mailflow.backpressure.value", this, b -> {
        long v = b.status.readings().get(index).value();
        return v < 0 ? Double.NaN : v;
      }).tag("resource", tag).description("The resource's last reading (percent, or messages for the submission queue)")
          .register(registry);
    }
    Gauge.builder("mailflow.backpressure.overall", this, b -> b.status.level().ordinal())
        .description("The node's back pressure level, the highest of its resources: 0 Low, 1 Medium, 2 High")
        .register(registry);
  }

  /**
   * Starts watching {@code sources}: reads them once now (so the first session already sees a level), then every
   * {@code interval} on the monitor's thread. {@code owned} (e.g. a Kafka admin client) is closed with it.
   */
  public static BackPressure start(List<Source> sources, Duration interval, MeterRegistry registry,
      List<AutoCloseable> owned) {
    BackPressure pressure = new BackPressure(sources, owned, registry);
    pressure.meter();
    long ms = interval.toMillis();
    for (int i = 0; i < sources.size(); i++) {
      int index = i; // each resource on its own schedule: a slow Kafka does not delay the disk's reading
      pressure.thread.scheduleWithFixedDelay(() -> pressure.meter(index), ms, ms, TimeUnit.MILLISECONDS);
    }
    return pressure;
  }

  /**
   * The node's back pressure as the organization sets it: the data directory's drive (DatabaseUsedSpace), the
   * heap (PrivateBytes) and, when {@code backlog} is given, the submission backlog (QueueLength[SubmissionQueue]).
   * {@link #OFF} when enableResourceMonitoring is false.
   */
  public static BackPressure start(BackPressureSettings settings, Path dataDir, SubmissionBacklog backlog,
      MeterRegistry registry) throws IOException {
    if (!settings.enableResourceMonitoring()) {
      if (backlog != null) {
        backlog.close();
      }
      return OFF;
    }
    List<Source> sources = new ArrayList<>();
    sources.add(databaseUsedSpace(dataDir, settings));
    sources.add(privateBytes(settings.privateBytes()));
    List<AutoCloseable> owned = new ArrayList<>();
    if (backlog != null) {
      sources.add(new Source("QueueLength[SubmissionQueue]", "QueueLength[SubmissionQueue]", "",
          settings.submissionQueueLength(), backlog));
      owned.add(backlog);
    }
    return start(sources, settings.resourceMeteringInterval(), registry, owned);
  }

  /**
   * Percent of the drive holding {@code dir} in use, rounded down as Exchange rounds; space reserved for root
   * counts as used (mailflow does not run as root in production, and the broker cannot write there either).
   */
  public static Source databaseUsedSpace(Path dir, BackPressureSettings settings) throws IOException {
    Files.createDirectories(dir);
    FileStore store = Files.getFileStore(dir);
    PressureTransitions transitions = settings.databaseUsedSpaceFor(store.getTotalSpace());
    return new Source("DatabaseUsedSpace[" + dir.toAbsolutePath().normalize() + "]", "DatabaseUsedSpace", "%",
        transitions, () -> usedPercent(store));
  }

  static long usedPercent(FileStore store) throws IOException {
    long total = store.getTotalSpace();
    return total <= 0 ? 0 : (total - store.getUsableSpace()) * 100 / total;
  }

  /**
   * Percent of the maximum heap in use after the last garbage collection (what stays when the collector has done
   * its work: the heap's use just before a collection says nothing); the heap now when no collector reports it.
   */
  public static Source privateBytes(PressureTransitions transitions) {
    return new Source("PrivateBytes", "PrivateBytes", "%", transitions, BackPressure::heapPercent);
  }

  static long heapPercent() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) {
        continue;
      }
      MemoryUsage afterGc = pool.getCollectionUsage();
      MemoryUsage now = pool.getUsage();
      used += afterGc != null ? afterGc.getUsed() : now.getUsed();
    }
    long max = Runtime.getRuntime().maxMemory();
    return max <= 0 ? 0 : used * 100 / max;
  }

  /** The level now: one volatile read, for the event loop. */
  public Status status() {
    return status;
  }

  /** One round: every resource read in turn (the first, synchronous one at start). */
  void meter() {
    for (int i = 0; i < sources.size(); i++) {
      meter(i);
    }
  }

  /**
   * One resource read (outside the lock: the Kafka backlog may take seconds) and its level moved; the new status
   * published, a change logged.
   */
  private void meter(int index) {
    Source source = sources.get(index);
    long value = -1;
    String why = null;
    try {
      value = source.reader().read();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      why = e.getMessage() != null ? e.getMessage() : e.toString();
    }
    synchronized (this) {
      ResourceMeter meter = meters.get(index);
      if (why != null) {
        if (meter.reading().unreadable() == null) {
          LOG.warn("Back pressure cannot read {}: {}; its level stays {}", source.resource(), why,
              meter.reading().level());
        }
        meter.unreadable(why);
      } else {
        PressureLevel before = meter.update(value);
        PressureLevel after = meter.reading().level();
        if (after.compareTo(before) > 0) { // Exchange's event 15004
          LOG.error("Resource pressure increased from {} to {}. {}", before, after, meter.reading().describe());
        } else if (after.compareTo(before) < 0) { // Exchange's event 15005
          LOG.info("Resource pressure decreased from {} to {}. {}", before, after, meter.reading().describe());
        }
      }
      status = snapshot();
    }
  }

  private Status snapshot() {
    List<Reading> readings = meters.stream().map(ResourceMeter::reading).toList();
    PressureLevel level = readings.stream().map(Reading::level).max(Enum::compareTo).orElse(PressureLevel.Low);
    return new Status(level, readings);
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
    for (AutoCloseable each : owned) {
      try {
        each.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", each, e.toString());
      }
    }
  }
}
