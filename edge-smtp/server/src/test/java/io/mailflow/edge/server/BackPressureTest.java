package io.mailflow.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailflow.organization.BackPressureSettings;
import io.mailflow.organization.PressureTransitions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor: the overall level is the highest resource's, published with the reasons and as gauges. */
class BackPressureTest {
  private static final PressureTransitions T = new PressureTransitions(50, 90, 80, 40);

  @Test
  void overallLevelIsTheHighestResourcesAndWhyNamesIt() {
    AtomicLong disk = new AtomicLong(10);
    AtomicLong queue = new AtomicLong(10);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BackPressure pressure = BackPressure.start(List.of(
        new BackPressure.Source("DatabaseUsedSpace[/data]", "DatabaseUsedSpace", "%", T, disk::get),
        new BackPressure.Source("QueueLength[SubmissionQueue]", "QueueLength[SubmissionQueue]", "", T, queue::get)),
        Duration.ofHours(1), registry, List.of())) {
      assertEquals(PressureLevel.Low, pressure.status().level());
      assertEquals("", pressure.status().why());

      queue.set(60);
      pressure.meter();
      assertEquals(PressureLevel.Medium, pressure.status().level());
      assertEquals("QueueLength[SubmissionQueue] = 60 [Medium] [LowToMedium=50 MediumToHigh=90 HighToMedium=80 "
          + "MediumToLow=40]", pressure.status().why());

      disk.set(95);
      pressure.meter();
      assertEquals(PressureLevel.High, pressure.status().level());
      assertTrue(pressure.status().why().startsWith("DatabaseUsedSpace[/data] = 95% [High]"), pressure.status().why());
      assertEquals(2.0, registry.get("mailflow.backpressure.level").tag("resource", "DatabaseUsedSpace").gauge().value());
      assertEquals(95.0, registry.get("mailflow.backpressure.value").tag("resource", "DatabaseUsedSpace").gauge().value());
      assertEquals(1.0, registry.get("mailflow.backpressure.level").tag("resource", "QueueLength[SubmissionQueue]")
          .gauge().value());
      assertEquals(2.0, registry.get("mailflow.backpressure.overall").gauge().value());

      disk.set(10);
      queue.set(10);
      pressure.meter();
      assertEquals(PressureLevel.Low, pressure.status().level());
      assertEquals(0.0, registry.get("mailflow.backpressure.overall").gauge().value());
    }
  }

  @Test
  void aResourceThatCannotBeReadKeepsItsLevelAndTheStatusSaysSo() {
    AtomicLong queue = new AtomicLong(95);
    boolean[] broken = {false};
    try (BackPressure pressure = BackPressure.start(List.of(new BackPressure.Source("QueueLength[SubmissionQueue]",
        "QueueLength[SubmissionQueue]", "", T, () -> {
          if (broken[0]) {
            throw new IllegalStateException("Kafka at localhost:1 did not answer the offsets within 500 ms");
          }
          return queue.get();
        })), Duration.ofHours(1), new SimpleMeterRegistry(), List.of())) {
      assertEquals(PressureLevel.High, pressure.status().level());
      broken[0] = true;
      pressure.meter();
      assertEquals(PressureLevel.High, pressure.status().level(), "no flapping to Low when Kafka cannot be read");
      assertTrue(pressure.status().describe().endsWith("(not read: Kafka at localhost:1 did not answer the offsets "
          + "within 500 ms)"), pressure.status().describe());
    }
  }

  @Test
  void theDataDirectorysDriveAndTheHeapAreReadAtStart(@TempDir Path dir) throws Exception {
    try (BackPressure pressure = BackPressure.start(BackPressureSettings.defaults(), dir, null,
        new SimpleMeterRegistry())) {
      List<BackPressure.Reading> readings = pressure.status().readings();
      assertEquals(2, readings.size());
      assertEquals("DatabaseUsedSpace[" + dir.toAbsolutePath().normalize() + "]", readings.get(0).resource());
      assertTrue(readings.get(0).value() >= 0 && readings.get(0).value() <= 100, readings.get(0).describe());
      assertEquals("PrivateBytes", readings.get(1).resource());
      assertTrue(readings.get(1).value() >= 0 && readings.get(1).value() <= 100, readings.get(1).describe());
    }
  }

  @Test
  void privateBytesCountsTheHeapThatSurvivesACollection() throws Exception {
    System.gc();
    long before = BackPressure.heapPercent();
    // a twentieth of the maximum heap, held while it is measured: a garbage collection cannot free it
    byte[] held = new byte[(int) Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 20)];
    System.gc();
    long after = BackPressure.heapPercent();
    assertTrue(after >= before + 4, "PrivateBytes " + before + "% before, " + after + "% with " + held.length
        + " bytes held");
    try (BackPressure pressure = BackPressure.start(List.of(BackPressure.privateBytes(
        new PressureTransitions(after, 100, 100, 1))), Duration.ofHours(1), new SimpleMeterRegistry(), List.of())) {
      assertEquals(PressureLevel.Medium, pressure.status().level(), pressure.status().describe());
    }
    assertEquals(held.length, held.length); // kept reachable until here
  }

  @Test
  void monitoringOffIsAlwaysLow(@TempDir Path dir) throws Exception {
    BackPressureSettings off = new BackPressureSettings(false, Duration.ofSeconds(2), null, null, null);
    BackPressure pressure = BackPressure.start(off, dir, null, new SimpleMeterRegistry());
    assertEquals(PressureLevel.Low, pressure.status().level());
    assertEquals("resource monitoring off (enableResourceMonitoring: false)", pressure.status().describe());
  }
}
