package io.mailflow.organization;

import java.time.Duration;

/**
 * BackPressureSettings - when this node refuses new mail to protect itself (Exchange's back pressure settings
 * in EdgeTransport.exe.config, with Exchange 2016/2019's defaults). Each resource is Low, Medium or High; at
 * Medium the edge refuses MAIL FROM from sessions that are neither authenticated nor from one of the
 * organization's servers, at High it refuses every MAIL FROM, with {@code 452 4.3.1 Insufficient system
 * resources}.
 *
 * @param enableResourceMonitoring false turns back pressure off (Exchange's EnableResourceMonitoring; true)
 * @param resourceMeteringInterval how often the resources are read (Exchange's ResourceMeteringInterval, 2 s)
 * @param databaseUsedSpace percent of the data directory's drive in use (Exchange's DatabaseUsedSpace: the
 *     drive of the queue database; here the drive of the data directory, which holds the embedded broker's
 *     logs); null means Exchange's formula from the drive's size ({@link PressureTransitions#databaseUsedSpaceFor})
 * @param privateBytes percent of the maximum heap in use after the last garbage collection (Exchange's
 *     PrivateBytes, 72/75/73/71)
 * @param submissionQueueLength messages on mail.submission.v1 the categorizer has not yet read (Exchange's
 *     QueueLength[SubmissionQueue], 9999/15000/10000/2000)
 */
public record BackPressureSettings(boolean enableResourceMonitoring, Duration resourceMeteringInterval,
    PressureTransitions databaseUsedSpace, PressureTransitions privateBytes,
    PressureTransitions submissionQueueLength) {
  /** Exchange 2016/2019's ResourceMeteringInterval: 00:00:02. */
  public static final Duration DEFAULT_RESOURCE_METERING_INTERVAL = Duration.ofSeconds(2);
  /** Exchange 2016/2019's DatabaseUsedSpace transitions (percent) on a drive of 50 GB or more. */
  public static final PressureTransitions DEFAULT_DATABASE_USED_SPACE = new PressureTransitions(96, 99, 97, 94);
  /** Exchange 2016/2019's PrivateBytes transitions (percent). */
  public static final PressureTransitions DEFAULT_PRIVATE_BYTES = new PressureTransitions(72, 75, 73, 71);
  /** Exchange 2016/2019's QueueLength[SubmissionQueue] transitions (messages). */
  public static final PressureTransitions DEFAULT_SUBMISSION_QUEUE_LENGTH =
      new PressureTransitions(9999, 15000, 10000, 2000);

  public BackPressureSettings {
    if (resourceMeteringInterval == null || resourceMeteringInterval.isNegative() || resourceMeteringInterval.isZero()) {
      throw new IllegalArgumentException("transportService.backPressure: resourceMeteringInterval must be positive, got "
          + resourceMeteringInterval);
    }
    if (privateBytes == null) {
      privateBytes = DEFAULT_PRIVATE_BYTES;
    }
    if (submissionQueueLength == null) {
      submissionQueueLength = DEFAULT_SUBMISSION_QUEUE_LENGTH;
    }
  }

  /** Exchange's defaults: on, every 2 seconds, DatabaseUsedSpace from the drive's size. */
  public static BackPressureSettings defaults() {
    return new BackPressureSettings(true, DEFAULT_RESOURCE_METERING_INTERVAL, null, DEFAULT_PRIVATE_BYTES,
        DEFAULT_SUBMISSION_QUEUE_LENGTH);
  }

  /** The DatabaseUsedSpace transitions for a drive of {@code driveBytes}: the configured ones, else Exchange's formula. */
  public PressureTransitions databaseUsedSpaceFor(long driveBytes) {
    return databaseUsedSpace != null ? databaseUsedSpace : PressureTransitions.databaseUsedSpaceFor(driveBytes);
  }
}
