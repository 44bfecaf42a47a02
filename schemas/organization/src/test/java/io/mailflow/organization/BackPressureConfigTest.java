package io.mailflow.organization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackPressureConfigTest {
  private static final String BASE = "serverName: EX01\nacceptedDomains: [contoso.test]\n";

  private static BackPressureSettings read(String yaml) throws Exception {
    return OrganizationLoader.parse(BASE + yaml, "test.yaml").transportService().backPressure();
  }

  @Test
  void defaultsAreExchanges() throws Exception {
    BackPressureSettings settings = read("");
    assertTrue(settings.enableResourceMonitoring());
    assertEquals(Duration.ofSeconds(2), settings.resourceMeteringInterval());
    assertNull(settings.databaseUsedSpace(), "left out: Exchange's formula from the drive's size");
    assertEquals(new PressureTransitions(72, 75, 73, 71), settings.privateBytes());
    assertEquals(new PressureTransitions(9999, 15000, 10000, 2000), settings.submissionQueueLength());
  }

  @Test
  void databaseUsedSpaceDefaultFollowsExchangesFormula() {
    long gb = 1024L * 1024 * 1024;
    assertEquals(new PressureTransitions(96, 99, 97, 94), PressureTransitions.databaseUsedSpaceFor(1024 * gb));
    // 100 * (25600 - 500) / 25600 = 98.04: High at 98%, about 500 MB free
    assertEquals(98, PressureTransitions.databaseUsedSpaceFor(25 * gb).mediumToHigh());
    assertEquals(80, PressureTransitions.databaseUsedSpaceFor(2500L * 1024 * 1024).mediumToHigh());
    assertEquals(10, PressureTransitions.databaseUsedSpaceFor(64L * 1024 * 1024).mediumToHigh());
  }

  @Test
  void thresholdsAreReadAndMissingOnesTakeExchangesValues() throws Exception {
    BackPressureSettings settings = read("transportService:\n  backPressure:\n"
        + "    enableResourceMonitoring: false\n"
        + "    resourceMeteringInterval: 00:00:05\n"
        + "    databaseUsedSpace: {mediumToHigh: 90, lowToMedium: 80, highToMedium: 85, mediumToLow: 70}\n"
        + "    privateBytes: {mediumToHigh: 80}\n"
        + "    submissionQueueLength: {lowToMedium: 10, mediumToHigh: 20, highToMedium: 15, mediumToLow: 5}\n");
    assertFalse(settings.enableResourceMonitoring());
    assertEquals(Duration.ofSeconds(5), settings.resourceMeteringInterval());
    assertEquals(new PressureTransitions(80, 90, 85, 70), settings.databaseUsedSpace());
    assertEquals(new PressureTransitions(80, 90, 85, 70), settings.databaseUsedSpaceFor(1L << 40));
    assertEquals(new PressureTransitions(72, 80, 73, 71), settings.privateBytes());
    assertEquals(new PressureTransitions(10, 20, 15, 5), settings.submissionQueueLength());
  }

  @Test
  void thresholdsThatMakeNoLevelsAreRefusedNamingTheResource() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> read("transportService:\n"
        + "  backPressure:\n    privateBytes: {lowToMedium: 80, mediumToHigh: 75}\n"));
    assertEquals(List.of("transportService.backPressure.privateBytes: lowToMedium (80) must be below mediumToHigh "
        + "(75) (Exchange's: lowToMedium 72, mediumToHigh 75, highToMedium 73, mediumToLow 71)"), e.errors());
    e = assertThrows(OrganizationException.class, () -> read("transportService:\n"
        + "  backPressure:\n    submissionQueueLength: {highToMedium: 1000}\n"));
    assertEquals(List.of("transportService.backPressure.submissionQueueLength: highToMedium (1000) must lie from "
        + "mediumToLow (2000) to mediumToHigh (15000) (Exchange's: lowToMedium 9999, mediumToHigh 15000, "
        + "highToMedium 10000, mediumToLow 2000)"), e.errors());
  }

  @Test
  void outOfRangeAndUnknownKeysAreRefusedWithTheirPath() {
    OrganizationException e = assertThrows(OrganizationException.class, () -> read("transportService:\n"
        + "  backPressure:\n    databaseUsedSpace: {mediumToHigh: 101}\n    resourceMeteringInterval: 0\n"
        + "    queueLength: {}\n"));
    assertEquals(3, e.errors().size(), e.errors().toString());
    assertTrue(e.errors().contains("transportService.backPressure.databaseUsedSpace.mediumToHigh: 101 out of range "
        + "(1-100)"), e.errors().toString());
    assertTrue(e.errors().stream().anyMatch(s -> s.startsWith("transportService.backPressure.resourceMeteringInterval: "
        + "0")), e.errors().toString());
    assertTrue(e.errors().stream().anyMatch(s -> s.startsWith("transportService.backPressure: unknown key 'queueLength'")),
        e.errors().toString());
  }
}
