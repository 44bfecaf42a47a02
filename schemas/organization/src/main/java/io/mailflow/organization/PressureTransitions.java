package io.mailflow.organization;

/**
 * PressureTransitions - where one back-pressure resource changes level (Exchange's {@code <Resource>.LowToMedium},
 * {@code .MediumToHigh}, {@code .HighToMedium}, {@code .MediumToLow} keys in EdgeTransport.exe.config). A level
 * rises when the value reaches ({@code >=}) LowToMedium or MediumToHigh and falls when it drops below ({@code <})
 * HighToMedium or MediumToLow; the falling thresholds are lower than the rising ones, so a value hovering at one
 * threshold does not flap between two levels.
 *
 * @param lowToMedium Low becomes Medium at this value
 * @param mediumToHigh Low or Medium becomes High at this value
 * @param highToMedium High becomes Medium below this value
 * @param mediumToLow Medium (or High) becomes Low below this value
 */
public record PressureTransitions(long lowToMedium, long mediumToHigh, long highToMedium, long mediumToLow) {
  public PressureTransitions {
    String problem = problem(lowToMedium, mediumToHigh, highToMedium, mediumToLow);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Why four thresholds do not make levels, or null when they do: MediumToLow &lt;= LowToMedium &lt; MediumToHigh
   * and MediumToLow &lt;= HighToMedium &lt;= MediumToHigh (what Exchange's defaults satisfy), none negative.
   */
  static String problem(long lowToMedium, long mediumToHigh, long highToMedium, long mediumToLow) {
    if (lowToMedium < 0 || mediumToHigh < 0 || highToMedium < 0 || mediumToLow < 0) {
      return "thresholds must not be negative";
    }
    if (!(lowToMedium < mediumToHigh)) {
      return "lowToMedium (" + lowToMedium + ") must be below mediumToHigh (" + mediumToHigh + ")";
    }
    if (!(mediumToLow <= lowToMedium)) {
      return "mediumToLow (" + mediumToLow + ") must not be above lowToMedium (" + lowToMedium + ")";
    }
    if (!(mediumToLow <= highToMedium && highToMedium <= mediumToHigh)) {
      return "highToMedium (" + highToMedium + ") must lie from mediumToLow (" + mediumToLow + ") to mediumToHigh ("
          + mediumToHigh + ")";
    }
    return null;
  }

  /**
   * Exchange's default for DatabaseUsedSpace on a drive of {@code driveBytes}: High at
   * {@code 100 * (size - 500 MB) / size} percent, rounded down (99 on a drive of 50 GB or more; Exchange's
   * LowToMedium 96, HighToMedium 97, MediumToLow 94 keep their distance below it). A drive too small for that
   * (under about 600 MB) gets High at 10%, i.e. it refuses mail almost at once, as Exchange would on such a drive.
   */
  public static PressureTransitions databaseUsedSpaceFor(long driveBytes) {
    long megabytes = driveBytes / (1024 * 1024);
    long high = megabytes <= 0 ? 10 : Math.max(10, Math.min(99, 100 * (megabytes - 500) / megabytes));
    return new PressureTransitions(high - 3, high, high - 2, high - 5);
  }
}
