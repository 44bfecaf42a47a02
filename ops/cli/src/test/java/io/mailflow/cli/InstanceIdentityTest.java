package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIdentityTest {
  @TempDir Path dir;

  @Test
  void theFirstStartMakesAnIdThatLaterStartsOnTheSameDataDirKeep() throws Exception {
    Path data = dir.resolve("data"); // not there yet: made
    String first;
    try (InstanceIdentity identity = InstanceIdentity.acquire(data)) {
      assertTrue(identity.isStatic());
      first = identity.id();
      assertEquals(first, Files.readString(data.resolve(InstanceIdentity.FILE)).strip());
    }
    try (InstanceIdentity again = InstanceIdentity.acquire(data)) {
      assertTrue(again.isStatic());
      assertEquals(first, again.id(), "a restart is the same instance");
    }
  }

  @Test
  void aSecondNodeOfThisProcessOnTheSameDataDirGetsAFreshNonStaticId() {
    try (InstanceIdentity held = InstanceIdentity.acquire(dir)) {
      try (InstanceIdentity second = InstanceIdentity.acquire(dir)) {
        assertFalse(second.isStatic(), "two live members with one id would fence each other");
        assertNotEquals(held.id(), second.id());
      }
      // the second one's close must not release the first one's lock
      try (InstanceIdentity third = InstanceIdentity.acquire(dir)) {
        assertFalse(third.isStatic());
      }
    }
    try (InstanceIdentity after = InstanceIdentity.acquire(dir)) {
      assertTrue(after.isStatic(), "released by close");
    }
  }

  @Test
  void anotherProcessHoldingTheIdGetsThisOneAFreshIdAndItsKillReleasesIt() throws Exception {
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), InstanceIdentityHolder.class.getName(),
        dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          return e.toString();
        }
      }).get(60, TimeUnit.SECONDS);
      assertTrue(line != null && line.startsWith("static "), "the holder: " + line);
      String held = line.substring("static ".length());
      try (InstanceIdentity mine = InstanceIdentity.acquire(dir)) {
        assertFalse(mine.isStatic(), "the data dir's id is another live process's");
        assertNotEquals(held, mine.id());
      }
      holder.destroyForcibly().waitFor(); // kill -9: the OS drops its lock
      try (InstanceIdentity restarted = InstanceIdentity.acquire(dir)) {
        assertTrue(restarted.isStatic());
        assertEquals(held, restarted.id(), "the restart after kill -9 is the same instance");
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aDataDirThatIsAFileIsAClearError() throws Exception {
    Path notADir = Files.writeString(dir.resolve("data"), "a file");
    CliFailure failure = assertThrows(CliFailure.class, () -> InstanceIdentity.acquire(notADir));
    assertTrue(failure.getMessage().startsWith("cannot keep this node's instance id in "
        + notADir.resolve(InstanceIdentity.FILE)), failure.getMessage());
    assertTrue(failure.getMessage().contains("is the data dir " + notADir + " a writable directory?"),
        failure.getMessage());
  }

  @Test
  void anInstanceIdFileThatIsADirectoryIsAClearError() throws Exception {
    Files.createDirectories(dir.resolve(InstanceIdentity.FILE));
    CliFailure failure = assertThrows(CliFailure.class, () -> InstanceIdentity.acquire(dir));
    assertTrue(failure.getMessage().startsWith("cannot keep this node's instance id in " + dir.resolve(
        InstanceIdentity.FILE)), failure.getMessage());
    try (InstanceIdentity later = InstanceIdentity.acquire(dir.resolve("elsewhere"))) {
      assertTrue(later.isStatic(), "a failed attempt leaves nothing locked");
    }
  }

  @Test
  void anInstanceIdFileWithoutAnIdIsAClearErrorNamingTheFile() throws Exception {
    Files.writeString(dir.resolve(InstanceIdentity.FILE), "not an id: spaces and a colon\n");
    CliFailure failure = assertThrows(CliFailure.class, () -> InstanceIdentity.acquire(dir));
    assertEquals("cannot use " + dir.resolve(InstanceIdentity.FILE) + " as this node's instance id: it holds "
        + "'not an id: spaces and a colon', not letters, digits, '.', '_' and '-' (at most 64); delete the file "
        + "and mailflow makes a new id", failure.getMessage());
    Files.delete(dir.resolve(InstanceIdentity.FILE));
    try (InstanceIdentity fixed = InstanceIdentity.acquire(dir)) {
      assertTrue(fixed.isStatic(), "the failed attempt released its lock");
    }
  }
}
