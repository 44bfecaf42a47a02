package io.mailflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollingLogStreamTest {
  @TempDir Path dir;

  private static void writeLine(RollingLogStream log, String line) throws IOException {
    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    log.flush();
  }

  @Test
  void aSecondOpenAppendsToWhatTheFirstWrote() throws Exception {
    Path file = dir.resolve("mailflow.log");
    try (RollingLogStream first = RollingLogStream.open(file, 1024, 5)) {
      writeLine(first, "first run");
    }
    try (RollingLogStream second = RollingLogStream.open(file, 1024, 5)) {
      writeLine(second, "second run");
    }
    assertEquals(List.of("first run", "second run"), Files.readAllLines(file));
  }

  @Test
  void pastTheSizeTheFileRollsAndOnlyKeepFilesAreKept() throws Exception {
    Path file = dir.resolve("mailflow.log");
    try (RollingLogStream log = RollingLogStream.open(file, 20, 3)) {
      for (int i = 0; i < 10; i++) {
        writeLine(log, "line %02d of 10".formatted(i)); // 14 bytes: one line per file
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("mailflow.log", "mailflow.log.1", "mailflow.log.2", "mailflow.log.3"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(List.of("line 09 of 10"), Files.readAllLines(file), "the newest line in the live file");
    assertEquals(List.of("line 08 of 10"), Files.readAllLines(dir.resolve("mailflow.log.1")));
    assertEquals(List.of("line 06 of 10"), Files.readAllLines(dir.resolve("mailflow.log.3")), "the oldest kept");
    assertFalse(Files.exists(dir.resolve("mailflow.log.4")));
  }

  @Test
  void aRestartRollsAFileAlreadyPastTheSize() throws Exception {
    Path file = dir.resolve("mailflow.log");
    Files.writeString(file, "x".repeat(30) + "\n");
    try (RollingLogStream log = RollingLogStream.open(file, 20, 2)) {
      writeLine(log, "after restart");
    }
    assertEquals(List.of("after restart"), Files.readAllLines(file));
    assertTrue(Files.readString(dir.resolve("mailflow.log.1")).startsWith("xxx"));
  }

  @Test
  void aLineLongerThanTheSizeIsWrittenWholeNotSplit() throws Exception {
    Path file = dir.resolve("mailflow.log");
    String longLine = "y".repeat(50);
    try (RollingLogStream log = RollingLogStream.open(file, 20, 2)) {
      writeLine(log, longLine);
    }
    assertEquals(List.of(longLine), Files.readAllLines(file));
  }

  @Test
  void aLineWrittenAsTextThenLineBreakStaysInOneFile() throws Exception {
    Path file = dir.resolve("mailflow.log");
    try (RollingLogStream log = RollingLogStream.open(file, 20, 2)) {
      writeLine(log, "1234"); // 5 bytes
      log.write("fifteen chars!!".getBytes(StandardCharsets.UTF_8)); // 20 bytes in all: fits
      log.write('\n'); // past the size, but it ends the line: no roll before it
      writeLine(log, "x"); // this line starts the next file
    }
    assertEquals(List.of("1234", "fifteen chars!!"), Files.readAllLines(dir.resolve("mailflow.log.1")),
        "the line whose break took the file past the size ends the rolled file");
    assertEquals(List.of("x"), Files.readAllLines(file));
  }
}
