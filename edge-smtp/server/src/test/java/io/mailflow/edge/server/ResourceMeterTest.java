package io.mailflow.edge.server;

import static io.mailflow.edge.server.PressureLevel.High;
import static io.mailflow.edge.server.PressureLevel.Low;
import static io.mailflow.edge.server.PressureLevel.Medium;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailflow.organization.BackPressureSettings;
import io.mailflow.organization.PressureTransitions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The level of one resource moved by Exchange's four transitions. */
class ResourceMeterTest {
  /** Exchange's DatabaseUsedSpace: LowToMedium 96, MediumToHigh 99, HighToMedium 97, MediumToLow 94. */
  private static final PressureTransitions DISK = BackPressureSettings.DEFAULT_DATABASE_USED_SPACE;

  private static List<PressureLevel> walk(PressureTransitions t, long... values) {
    ResourceMeter meter = new ResourceMeter("DatabaseUsedSpace[/data]", "%", t);
    List<PressureLevel> levels = new ArrayList<>();
    for (long v : values) {
      meter.update(v);
      levels.add(meter.reading().level());
    }
    return levels;
  }

  @Test
  void risesAtLowToMediumAndMediumToHigh() {
    assertEquals(List.of(Low, Low, Medium, Medium, High), walk(DISK, 50, 95, 96, 98, 99));
  }

  @Test
  void jumpsFromLowStraightToHigh() {
    assertEquals(List.of(Low, High), walk(DISK, 10, 100));
  }

  @Test
  void fallsOnlyBelowHighToMediumThenBelowMediumToLow() {
    // down from High: 98 and 97 stay High (not below HighToMedium 97), 96 is Medium, 94 still Medium, 93 Low
    assertEquals(List.of(High, High, High, Medium, Medium, Low), walk(DISK, 99, 98, 97, 96, 94, 93));
  }

  @Test
  void highFallsStraightToLowWhenTheValueDropsBelowMediumToLow() {
    assertEquals(List.of(High, Low), walk(DISK, 99, 50));
  }

  @Test
  void aValueHoveringAroundOneThresholdDoesNotFlap() {
    // 96 / 95 around LowToMedium: once Medium, it stays until below MediumToLow (94)
    assertEquals(List.of(Medium, Medium, Medium, Medium), walk(DISK, 96, 95, 96, 95));
    // 99 / 98 around MediumToHigh: once High, it stays until below HighToMedium (97)
    assertEquals(List.of(High, High, High, High), walk(DISK, 99, 98, 99, 98));
  }

  @Test
  void exchangesSubmissionQueueTransitionsMoveTheLevelByMessageCount() {
    PressureTransitions queue = BackPressureSettings.DEFAULT_SUBMISSION_QUEUE_LENGTH;
    assertEquals(List.of(Low, Medium, High, High, Medium, Medium, Low), walk(queue, 9998, 9999, 15000, 10000, 9999, 2000,
        1999));
  }

  @Test
  void anUnreadableResourceKeepsItsLevelAndSaysWhy() {
    ResourceMeter meter = new ResourceMeter("QueueLength[SubmissionQueue]", "", new PressureTransitions(10, 20, 15, 5));
    meter.update(25);
    meter.unreadable("Kafka did not answer");
    assertEquals(High, meter.reading().level());
    assertEquals("QueueLength[SubmissionQueue] = 25 [High] [LowToMedium=10 MediumToHigh=20 HighToMedium=15 "
        + "MediumToLow=5] (not read: Kafka did not answer)", meter.reading().describe());
    meter.update(3);
    assertEquals(Low, meter.reading().level());
    assertEquals(null, meter.reading().unreadable());
  }
}
