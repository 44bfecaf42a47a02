package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the jar re-executes itself, and with what (Launcher's decisions; PackagedJarLaunchCheck runs the real jar). */
class LauncherTest {
  private static final String JAVA = "/opt/jdk/bin/java";
  private static final long GB = 1L << 30;
  @TempDir Path dir;

  private Path jar() throws Exception {
    return Files.writeString(dir.resolve("mailflow.jar"), "jar");
  }

  private Path archive(Path jar, long agoMillis) throws Exception {
    Path archive = Files.writeString(dir.resolve(Launcher.ARCHIVE), "jsa");
    Files.setLastModifiedTime(archive,
        FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - agoMillis));
    return archive;
  }

  @Test
  void plainJavaJarRelaunchesWithTheArchiveHeapDefaultsAndTheSameArguments() throws Exception {
    Path jar = jar();
    Path archive = archive(jar, -1000);
    List<String> command = Launcher.relaunch(new String[] {"run", "--data-dir", "my dir"}, Map.of(),
        List.of("-Dfoo=bar"), jar, JAVA, 8 * GB).orElseThrow();
    assertEquals(JAVA, command.get(0));
    assertTrue(command.contains("-XX:SharedArchiveFile=" + archive), command.toString());
    assertTrue(command.contains("-Xmx1024m"), command.toString());
    assertTrue(command.contains("-Dfoo=bar"), "the user's -D options go along: " + command);
    assertTrue(command.contains("-D" + Launcher.RELAUNCHED_PROPERTY + "=true"), command.toString());
    assertEquals(List.of("-jar", jar.toString(), "run", "--data-dir", "my dir"),
        command.subList(command.size() - 5, command.size()));
  }

  @Test
  void withoutAnArchiveItStillRelaunchesForTheHeapDefaults() throws Exception {
    List<String> command = Launcher.relaunch(new String[] {"run"}, Map.of(), List.of(), jar(), JAVA, 8 * GB)
        .orElseThrow();
    assertFalse(command.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), command.toString());
  }

  @Test
  void anArchiveOlderThanTheJarIsNotUsed() throws Exception {
    Path jar = jar();
    archive(jar, 60_000);
    List<String> command = Launcher.relaunch(new String[] {"run"}, Map.of(), List.of(), jar, JAVA, 8 * GB)
        .orElseThrow();
    assertFalse(command.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile")), command.toString());
  }

  @Test
  void theEscapeHatchRunsInThisJvm() throws Exception {
    Path jar = jar();
    assertEquals(Optional.empty(), Launcher.relaunch(new String[] {"run"},
        Map.of(Launcher.NO_RELAUNCH_ENV, "1"), List.of(), jar, JAVA, 8 * GB));
    assertTrue(Launcher.relaunch(new String[] {"run"}, Map.of(Launcher.NO_RELAUNCH_ENV, "0"), List.of(), jar, JAVA,
        8 * GB).isPresent(), "0 means relaunch");
  }

  @Test
  void theUsersOwnJvmOptionsStandAlone() throws Exception {
    Path jar = jar();
    for (String option : List.of("-Xmx2g", "-XX:+UseSerialGC", "-Xshare:off", "-agentlib:jdwp=transport=dt_socket",
        "-ea")) {
      assertEquals(Optional.empty(), Launcher.relaunch(new String[] {"run"}, Map.of(), List.of(option), jar, JAVA,
          8 * GB), option);
    }
  }

  @Test
  void theRelaunchedJvmAndClassesOutsideAJarDoNotRelaunch() throws Exception {
    assertEquals(Optional.empty(), Launcher.relaunch(new String[] {"run"}, Map.of(),
        List.of("-Xmx1024m", "-D" + Launcher.RELAUNCHED_PROPERTY + "=true"), jar(), JAVA, 8 * GB));
    assertEquals(Optional.empty(), Launcher.relaunch(new String[] {"run"}, Map.of(), List.of(), null, JAVA, 8 * GB));
  }

  @Test
  void theHeapIsHalfTheMemoryBetween256MbAnd1Gb() {
    assertEquals(List.of("-Xmx1024m"), Launcher.heapDefaults(24 * GB));
    assertEquals(List.of("-Xmx768m"), Launcher.heapDefaults(3 * GB / 2));
    assertEquals(List.of("-Xmx256m"), Launcher.heapDefaults(GB / 4));
    assertEquals(List.of("-Xmx1024m"), Launcher.heapDefaults(0), "unknown memory");
  }
}
