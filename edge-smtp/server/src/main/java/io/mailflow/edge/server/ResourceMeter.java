package io.mailflow.edge.server;

import io.mailflow.organization.PressureTransitions;

/**
 * ResourceMeter - one back-pressure resource's level, moved by Exchange's four transitions so that it does not
 * flap: up at LowToMedium / MediumToHigh, down only below HighToMedium / MediumToLow. A reading that fails keeps
 * the level it had (a monitor that cannot see is no reason to refuse mail, nor to accept it again) and says why.
 * Used by the {@link BackPressure} thread only.
 */
final class ResourceMeter {
  private final String resource;
  private final String unit;
  private final PressureTransitions transitions;
  private PressureLevel level = PressureLevel.Low;
  private long value = -1;
  private String unreadable;

  /**
   * @param resource Exchange's resource name, e.g. {@code DatabaseUsedSpace[/var/lib/mailflow]}
   * @param unit {@code %} for percentages, empty for counts
   */
  ResourceMeter(String resource, String unit, PressureTransitions transitions) {
    this.resource = resource;
    this.unit = unit;
    this.transitions = transitions;
  }

  /** The level after {@code current} when the resource reads {@code value}. */
  static PressureLevel next(PressureLevel current, long value, PressureTransitions t) {
    if (value >= t.mediumToHigh()) {
      return PressureLevel.High;
    }
    return switch (current) {
      case Low -> value >= t.lowToMedium() ? PressureLevel.Medium : PressureLevel.Low;
      case Medium -> value < t.mediumToLow() ? PressureLevel.Low : PressureLevel.Medium;
      case High -> value >= t.highToMedium() ? PressureLevel.High
          : value < t.mediumToLow() ? PressureLevel.Low : PressureLevel.Medium;
    };
  }

  /** Records a reading; returns the level before it. */
  PressureLevel update(long reading) {
    PressureLevel before = level;
    value = reading;
    unreadable = null;
    level = next(level, reading, transitions);
    return before;
  }

  /** The resource could not be read: the level stays, the reason is shown. */
  void unreadable(String why) {
    unreadable = why;
  }

  BackPressure.Reading reading() {
    return new BackPressure.Reading(resource, level, value, unit, transitions, unreadable);
  }
}
